/** Conformance: lists at the newest and at exact revisions, paging with continue tokens, their expiry. */
import { expect, it } from "vitest";
import { expectStorageError, obj, rv, type ConformanceTarget, type StoreHarness } from "./harness.js";

const names = (items: { metadata: { name?: string } }[]) => items.map((o) => o.metadata.name);

export function listCases(h: () => StoreHarness, target: ConformanceTarget): void {
  it("lists a prefix sorted by key, and only that prefix", async () => {
    const { store } = h();
    for (const [key, name] of [
      ["/things/ns1/b", "b"],
      ["/things/ns1/a", "a"],
      ["/things/ns10/c", "c"],
      ["/other/ns1/d", "d"],
    ] as const) {
      await store.create(key, obj(name));
    }
    const ns1 = await store.list("/things/ns1/");
    expect(names(ns1.items)).toEqual(["a", "b"]);
    expect(ns1.revision).toBe(await store.currentRevision());
    expect(names((await store.list("/things/")).items)).toEqual(["a", "b", "c"]);
    expect(names((await store.list("/things/", { resourceVersion: "0" })).items)).toEqual(["a", "b", "c"]);
    const labelled = await store.list("/things/", { predicate: (o) => o.metadata.name !== "b" });
    expect(names(labelled.items)).toEqual(["a", "c"]);
  });

  it("lists the state at an exact past revision", async () => {
    const { store } = h();
    const a1 = await store.create("/things/ns/a", obj("a", { spec: { v: 1 } }));
    await store.create("/things/ns/b", obj("b"));
    const at = await store.currentRevision();
    await store.guaranteedUpdate("/things/ns/a", (cur) => ({ ...cur, spec: { v: 2 } }));
    await store.delete("/things/ns/b");
    await store.create("/things/ns/c", obj("c"));
    const then = await store.list("/things/ns/", { resourceVersion: String(at), resourceVersionMatch: "Exact" });
    expect(then.revision).toBe(at);
    expect(names(then.items)).toEqual(["a", "b"]);
    expect(then.items[0]!.spec).toEqual({ v: 1 });
    expect(then.items[0]!.metadata.resourceVersion).toBe(a1.metadata.resourceVersion);
    const now = await store.list("/things/ns/");
    expect(names(now.items)).toEqual(["a", "c"]);
    expect(now.items[0]!.spec).toEqual({ v: 2 });
    const notOlder = await store.list("/things/ns/", { resourceVersion: String(at), resourceVersionMatch: "NotOlderThan" });
    expect(notOlder.revision).toBeGreaterThanOrEqual(now.revision);
  });

  it("pages with continue tokens at the first page's revision, across writes", async () => {
    const { store } = h();
    for (const n of ["a", "b", "c", "d", "e"]) await store.create(`/things/ns/${n}`, obj(n, { spec: { v: 1 } }));
    const p1 = await store.list("/things/ns/", { limit: 2 });
    expect(names(p1.items)).toEqual(["a", "b"]);
    expect(p1.continue).toBeTypeOf("string");
    if (target.countsRemaining) expect(p1.remainingItemCount).toBe(3);
    // Writes between pages must not show on later pages.
    await store.delete("/things/ns/c");
    await store.create("/things/ns/bb", obj("bb"));
    await store.guaranteedUpdate("/things/ns/d", (cur) => ({ ...cur, spec: { v: 2 } }));
    const p2 = await store.list("/things/ns/", { limit: 2, continue: p1.continue! });
    expect(p2.revision).toBe(p1.revision);
    expect(names(p2.items)).toEqual(["c", "d"]);
    expect(p2.items[1]!.spec).toEqual({ v: 1 });
    if (target.countsRemaining) expect(p2.remainingItemCount).toBe(1);
    const p3 = await store.list("/things/ns/", { limit: 2, continue: p2.continue! });
    expect(names(p3.items)).toEqual(["e"]);
    expect(p3.continue).toBeUndefined();
    expect(names((await store.list("/things/ns/")).items)).toEqual(["a", "b", "bb", "d", "e"]);
  });

  it("fills a limited page with objects that match the predicate", async () => {
    const { store } = h();
    for (let i = 0; i < 10; i++) await store.create(`/things/ns/o${i}`, obj(`o${i}`, {}, { even: String(i % 2 === 0) }));
    const even = (o: { metadata: { labels?: Record<string, string> } }) => o.metadata.labels?.even === "true";
    const p1 = await store.list("/things/ns/", { limit: 3, predicate: even });
    expect(names(p1.items)).toEqual(["o0", "o2", "o4"]);
    const p2 = await store.list("/things/ns/", { limit: 3, predicate: even, continue: p1.continue! });
    expect(names(p2.items)).toEqual(["o6", "o8"]);
  });

  it("rejects continue tokens that do not decode (InvalidContinue)", async () => {
    const { store } = h();
    await store.create("/things/ns/a", obj("a"));
    await expectStorageError(store.list("/things/ns/", { continue: "garbage!!" }), "InvalidContinue");
    const notJson = Buffer.from("{nope").toString("base64url");
    await expectStorageError(store.list("/things/ns/", { continue: notJson }), "InvalidContinue");
    const wrongVersion = Buffer.from(JSON.stringify({ v: "x", rv: 1, start: "a" })).toString("base64url");
    await expectStorageError(store.list("/things/ns/", { continue: wrongVersion }), "InvalidContinue");
  });

  it("reads a continue token with a negative revision as kube-apiserver does: the newest state from its start key", async () => {
    const { store } = h();
    for (const n of ["a", "b", "c"]) await store.create(`/things/ns/${n}`, obj(n));
    const token = Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: -1, start: "b" })).toString("base64url");
    await store.create("/things/ns/d", obj("d"));
    const page = await store.list("/things/ns/", { continue: token });
    expect(names(page.items)).toEqual(["b", "c", "d"]);
  });

  it("answers Expired for a continue token or exact revision that left the history", async () => {
    const harness = h();
    const { store } = harness;
    for (const n of ["a", "b", "c"]) await store.create(`/things/ns/${n}`, obj(n));
    const p1 = await store.list("/things/ns/", { limit: 1 });
    await store.delete("/things/ns/b"); // page 2 at p1's revision now needs history
    await harness.expire(p1.revision);
    await expectStorageError(store.list("/things/ns/", { limit: 1, continue: p1.continue! }), "Expired");
    const exact = { resourceVersion: String(p1.revision), resourceVersionMatch: "Exact" as const };
    await expectStorageError(store.list("/things/ns/", exact), "Expired");
  });

  it("answers TooLargeResourceVersion for a revision the store has not reached", async () => {
    const { store } = h();
    const a = await store.create("/things/ns/a", obj("a"));
    const future = String(rv(a) + 1_000);
    await expectStorageError(store.list("/things/ns/", { resourceVersion: future, resourceVersionMatch: "Exact" }), "TooLargeResourceVersion");
    await expectStorageError(store.list("/things/ns/", { resourceVersion: future }), "TooLargeResourceVersion");
  });
}
