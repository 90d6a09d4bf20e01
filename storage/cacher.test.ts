import { describe, expect, it } from "vitest";
import { Cacher } from "./cacher.js";
import { collect, obj, rv, sleep } from "./conformance/harness.js";
import { StorageError } from "./interface.js";
import type { FeedSink } from "./backend.js";
import { storageConformance, testTuning } from "./storage.case.js";
import { useEtcdServer } from "./testing/use-etcd.js";
import { etcdStoreOpener, openCacherHarness, openEtcdHarness, openLevelHarness } from "./testing/harnesses.js";

const etcdServer = useEtcdServer();
const endpoint = etcdServer.endpoint;

storageConformance({
  name: "cacher over level",
  open: async (tuning) => openCacherHarness(await openLevelHarness(tuning), tuning),
  countsRemaining: true,
  sharesEvents: true,
});

storageConformance({
  name: "cacher over etcd",
  open: async (tuning) => openCacherHarness(await openEtcdHarness(endpoint, tuning), tuning),
  countsRemaining: true,
  sharesEvents: true,
});

describe("cacher", () => {
  it("serves a write through replica A to watchers and consistent reads on replica B", async () => {
    const open = etcdStoreOpener(endpoint, testTuning, `/replicas-${Date.now()}/`);
    const a = await Cacher.start(await open(), { tuning: testTuning });
    const b = await Cacher.start(await open(), { tuning: testTuning });
    try {
      const w = await b.watch("/things/", { resourceVersion: String(await b.currentRevision()) });
      const made = await a.create("/things/ns/x", obj("x"));
      // A consistent list on B right after A acknowledged the write must include it.
      const listed = await b.list("/things/");
      expect(listed.items.map((o) => o.metadata.resourceVersion)).toEqual([made.metadata.resourceVersion]);
      const events = await collect(w, 1);
      expect(events.map((e) => [e.type, e.revision])).toEqual([["ADDED", rv(made)]]);
      w.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("stays consistent when keys outside its prefix move etcd's revision", async () => {
    const store = await etcdStoreOpener(endpoint, testTuning, `/mine-${Date.now()}/`)();
    const other = await etcdStoreOpener(endpoint, testTuning, `/elsewhere-${Date.now()}/`)();
    const cacher = await Cacher.start(store, { tuning: testTuning });
    try {
      const mine = await cacher.create("/things/ns/x", obj("x"));
      const moved = await other.create("/things/ns/y", obj("y")); // no event reaches our feed for this one
      const t0 = Date.now();
      const listed = await cacher.list("/things/"); // served by etcd: the cache cannot prove it is current
      expect(Date.now() - t0).toBeLessThan(1_000);
      expect(listed.revision).toBeGreaterThanOrEqual(rv(moved));
      expect(listed.items.map((o) => o.metadata.resourceVersion)).toEqual([mine.metadata.resourceVersion]);
      // A watch from that list's revision works (no TooLargeResourceVersion) and sees what follows.
      const w = await cacher.watch("/things/", { resourceVersion: String(listed.revision) });
      const next = await cacher.create("/things/ns/z", obj("z"));
      expect((await collect(w, 1)).map((e) => [e.type, e.revision])).toEqual([["ADDED", rv(next)]]);
      w.close();
    } finally {
      await Promise.all([cacher.close(), other.close()]);
    }
  });

  it("lists 10,000 objects from memory without copying them", async () => {
    const h = await openCacherHarness(await openLevelHarness(testTuning), testTuning);
    try {
      const spec = { displayName: "x".repeat(200), clusterManager: { name: "clusterset-apiserver" } };
      for (let i = 0; i < 10_000; i += 500) {
        await Promise.all(
          Array.from({ length: 500 }, (_, j) => h.store.create(`/things/ns/o${String(i + j).padStart(5, "0")}`, obj(`o${i + j}`, { spec }))),
        );
      }
      const first = await h.store.list("/things/");
      const t0 = performance.now();
      const runs = 20;
      for (let r = 0; r < runs; r++) await h.store.list("/things/");
      const perList = (performance.now() - t0) / runs;
      const again = await h.store.list("/things/");
      expect(first.items.length).toBe(10_000);
      expect(again.items[1234]).toBe(first.items[1234]); // the stored objects themselves, not copies
      const page = await h.store.list("/things/", { limit: 500 });
      expect(page.remainingItemCount).toBe(9_500);
      console.log(`cacher: LIST of 10,000 objects from memory: ${perList.toFixed(2)} ms`);
      expect(perList).toBeLessThan(100);
    } finally {
      await h.close();
    }
  }, 60_000);

  it("resyncs when the feed breaks: state reloaded, watchers told to re-list", async () => {
    const level = await openLevelHarness(testTuning);
    let sink: FeedSink | undefined;
    const feed = level.store.feed.bind(level.store);
    level.store.feed = (prefix, from, s) => {
      sink = s;
      return feed(prefix, from, s);
    };
    const cacher = await Cacher.start(level.store, { tuning: testTuning });
    try {
      await cacher.create("/things/ns/a", obj("a"));
      const w = await cacher.watch("/things/");
      expect(sink).toBeDefined();
      sink!.broken(new StorageError("Expired", "/", "compacted"));
      expect(await w.next()).not.toBeNull(); // the initial ADDED was already queued...
      expect(await w.next()).toBeNull(); // ...then the watch ends
      expect(w.endReason).toBe("too-slow");
      await sleep(50);
      const b = await cacher.create("/things/ns/b", obj("b"));
      expect((await cacher.list("/things/")).items.map((o) => o.metadata.name)).toEqual(["a", "b"]);
      expect(await cacher.currentRevision()).toBe(rv(b));
    } finally {
      await cacher.close();
      await level.close();
    }
  });
});
