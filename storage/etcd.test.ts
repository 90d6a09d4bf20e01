import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Cacher } from "./cacher.js";
import { staleHintCases } from "./conformance/hints.js";
import type { EtcdStore } from "./etcd.js";
import type { StoreHarness } from "./storage.case.js";
import { collect, expectStorageError, obj, rv } from "./conformance/harness.js";
import { storageConformance, testTuning } from "./storage.case.js";
import { useEtcdServer } from "./testing/use-etcd.js";
import { etcdStoreOpener, openEtcdHarness } from "./testing/harnesses.js";

const etcdServer = useEtcdServer();
const endpoint = etcdServer.endpoint;

storageConformance({
  name: "etcd",
  open: (tuning) => openEtcdHarness(endpoint, tuning),
  countsRemaining: true,
  sharesEvents: false, // each raw etcd watch is its own etcd watcher; the Cacher shares
});

describe("etcd backend", () => {
  let harness: (StoreHarness & { store: EtcdStore }) | undefined;
  beforeEach(async () => {
    harness = await openEtcdHarness(endpoint, testTuning);
  });
  afterEach(async () => {
    await harness?.close();
  });
  staleHintCases(() => harness!);

  it("two stores on one prefix (two server processes) see each other's writes", async () => {
    const open = etcdStoreOpener(endpoint, testTuning, `/shared-${Date.now()}/`);
    const [a, b] = await Promise.all([open(), open()]);
    try {
      const w = await b.watch("/things/", { resourceVersion: String(await b.currentRevision()) });
      const made = await a.create("/things/ns/x", obj("x"));
      const events = await collect(w, 1);
      expect(events.map((e) => [e.type, e.revision])).toEqual([["ADDED", rv(made)]]);
      expect((await b.get("/things/ns/x")).metadata.resourceVersion).toBe(made.metadata.resourceVersion);
      w.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("keeps prefixes apart", async () => {
    const one = await etcdStoreOpener(endpoint, testTuning, `/one-${Date.now()}`)();
    const two = await etcdStoreOpener(endpoint, testTuning, `/one-${Date.now()}-two/`)();
    try {
      await one.create("/things/ns/a", obj("a"));
      await two.create("/things/ns/b", obj("b"));
      expect((await one.list("/")).items.map((o) => o.metadata.name)).toEqual(["a"]);
      expect((await two.list("/")).items.map((o) => o.metadata.name)).toEqual(["b"]);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it("compacts one interval behind, coordinated through compact_rev_key", async () => {
    const store = await etcdStoreOpener(endpoint, testTuning, `/compact-${Date.now()}/`)();
    try {
      const a = await store.create("/things/ns/a", obj("a"));
      expect(await store.compactor.tick()).toBeUndefined(); // first round only records the revision
      await store.create("/things/ns/b", obj("b"));
      const compactedTo = await store.compactor.tick();
      expect(compactedTo).toBeGreaterThanOrEqual(rv(a));
      const exact = { resourceVersion: String(rv(a) - 1), resourceVersionMatch: "Exact" as const };
      await expectStorageError(store.list("/things/ns/", exact), "Expired");
      expect((await store.list("/things/ns/")).items.length).toBe(2);
    } finally {
      await store.close();
    }
  });
});

describe("etcd backend across an etcd restart", () => {
  it("resumes watches (store and cache) with no gap once etcd is back", async () => {
    const prefix = `/restart-${Date.now()}/`;
    const open = etcdStoreOpener(endpoint, testTuning, prefix);
    const store = await open();
    const cached = await Cacher.start(await open(), { tuning: testTuning });
    try {
      const from = String(await store.currentRevision());
      const raw = await store.watch("/things/", { resourceVersion: from });
      const viaCache = await cached.watch("/things/", { resourceVersion: from });
      const a = await store.create("/things/ns/a", obj("a"));
      expect((await collect(raw, 1)).map((e) => e.revision)).toEqual([rv(a)]);
      await etcdServer.server().restart();
      // Written by a fresh client, possibly before our watch streams reconnect: they must be replayed.
      const writer = await open();
      const b = await writer.create("/things/ns/b", obj("b"));
      const c = await writer.guaranteedUpdate("/things/ns/a", (cur) => ({ ...cur, spec: { v: 2 } }));
      await writer.close();
      expect((await collect(raw, 2, 20_000)).map((e) => [e.type, e.revision])).toEqual([
        ["ADDED", rv(b)],
        ["MODIFIED", rv(c)],
      ]);
      expect((await collect(viaCache, 3, 20_000)).map((e) => e.revision)).toEqual([rv(a), rv(b), rv(c)]);
      raw.close();
      viaCache.close();
    } finally {
      await Promise.all([store.close(), cached.close()]);
    }
  }, 40_000);
});
