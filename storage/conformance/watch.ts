/** Conformance: watch events, resume, expiry, predicates, slow watchers, bookmarks, watch-list, closing. */
import { expect, it } from "vitest";
import type { KubeObject, Watch } from "../interface.js";
import {
  collect,
  expectStorageError,
  nextWithin,
  obj,
  rv,
  sleep,
  testTuning,
  type ConformanceTarget,
  type StoreHarness,
} from "./harness.js";

const labelled = (o: KubeObject) => o.metadata.labels?.team === "blue";
const blue = { team: "blue" };

export function watchCases(h: () => StoreHarness, target: ConformanceTarget): void {
  it("starts with ADDED for current objects, then sends changes in order", async () => {
    const { store } = h();
    await store.create("/things/ns/a", obj("a"));
    const w = await store.watch("/things/");
    const b = await store.create("/things/ns/b", obj("b"));
    const a2 = await store.guaranteedUpdate("/things/ns/a", (cur) => ({ ...cur, spec: { v: 2 } }));
    const gone = await store.delete("/things/ns/b");
    await store.create("/other/ns/x", obj("x")); // another prefix: not for this watcher
    const events = await collect(w, 4);
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ["ADDED", "a"],
      ["ADDED", "b"],
      ["MODIFIED", "a"],
      ["DELETED", "b"],
    ]);
    expect(events.slice(1).map((e) => e.revision)).toEqual([rv(b), rv(a2), rv(gone)]);
    expect(events[3]!.object.metadata.resourceVersion).toBe(gone.metadata.resourceVersion);
    expect(events[3]!.object.metadata.uid).toBe("uid-b");
    expect(await nextWithin(w, 150)).toBe("timeout");
    w.close();
  });

  it("resumes from a revision with no gap and no duplicate", async () => {
    const { store } = h();
    const start = await store.currentRevision();
    const written: number[] = [];
    const first = await store.watch("/things/", { resourceVersion: String(start) });
    for (let i = 0; i < 10; i++) written.push(rv(await store.create(`/things/ns/o${i}`, obj(`o${i}`))));
    const seen = (await collect(first, 4)).map((e) => e.revision);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    first.close();
    for (let i = 0; i < 3; i++) {
      written.push(rv(await store.guaranteedUpdate(`/things/ns/o${i}`, (c) => ({ ...c, spec: { i } }))));
    }
    written.push(rv(await store.delete("/things/ns/o9")));
    const last = seen[seen.length - 1]!;
    const resumed = await store.watch("/things/", { resourceVersion: String(last) });
    const rest = (await collect(resumed, written.length - seen.length)).map((e) => e.revision);
    expect([...seen, ...rest]).toEqual(written);
    expect(await nextWithin(resumed, 150)).toBe("timeout");
    resumed.close();
  });

  it("throws Expired for a watch from a revision older than the history", async () => {
    const harness = h();
    const a = await harness.store.create("/things/ns/a", obj("a"));
    await harness.store.create("/things/ns/b", obj("b"));
    await harness.expire(rv(a));
    await expectStorageError(harness.store.watch("/things/", { resourceVersion: String(rv(a) - 1) }), "Expired");
  });

  it("throws TooLargeResourceVersion for a watch from the future", async () => {
    const { store } = h();
    const now = await store.currentRevision();
    await expectStorageError(store.watch("/things/", { resourceVersion: String(now + 1_000) }), "TooLargeResourceVersion");
  });

  it("applies the predicate like kube-apiserver: start matching is ADDED, stop matching is DELETED", async () => {
    const { store } = h();
    const w = await store.watch("/things/", { resourceVersion: String(await store.currentRevision()), predicate: labelled });
    const set = (labels: Record<string, string> | undefined) => (cur: KubeObject) => {
      const { labels: _old, ...metadata } = cur.metadata;
      return { ...cur, metadata: labels ? { ...metadata, labels } : metadata };
    };
    await store.create("/things/ns/a", obj("a")); // not matching: nothing
    const joined = await store.guaranteedUpdate("/things/ns/a", set(blue));
    const still = await store.guaranteedUpdate("/things/ns/a", set({ ...blue, x: "1" }));
    const left = await store.guaranteedUpdate("/things/ns/a", set(undefined));
    await store.delete("/things/ns/a"); // not matching any more: nothing
    await store.create("/things/ns/b", obj("b", {}, blue));
    const events = await collect(w, 4);
    expect(events.map((e) => [e.type, e.object.metadata.name, e.revision])).toEqual([
      ["ADDED", "a", rv(joined)],
      ["MODIFIED", "a", rv(still)],
      ["DELETED", "a", rv(left)],
      ["ADDED", "b", expect.any(Number)],
    ]);
    // The DELETED carries the last matching state, at the revision where it stopped matching.
    expect(events[2]!.object.metadata.labels).toEqual({ ...blue, x: "1" });
    expect(events[2]!.object.metadata.resourceVersion).toBe(left.metadata.resourceVersion);
    w.close();
  });

  it("ends a watcher that never reads (too-slow) while others get every event, with bounded queues", async () => {
    const { store } = h();
    const from = String(await store.currentRevision());
    const stalled = await store.watch("/things/", { resourceVersion: from });
    expect("queueLength" in stalled).toBe(true); // every store here uses the bounded QueuedWatch
    const reader = await store.watch("/things/", { resourceVersion: from });
    const total = testTuning.watchQueueLimit * 3;
    const received = collect(reader, total, 10_000);
    let maxQueued = 0;
    for (let i = 0; i < total; i++) {
      await store.create(`/things/ns/o${i}`, obj(`o${i}`));
      maxQueued = Math.max(maxQueued, queueLength(stalled));
    }
    const t0 = Date.now();
    expect((await received).length).toBe(total);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(await stalled.next()).toBeNull();
    expect(stalled.endReason).toBe("too-slow");
    expect(maxQueued).toBeLessThanOrEqual(testTuning.watchQueueLimit);
    expect(queueLength(stalled)).toBe(0);
    expect(reader.endReason).toBeUndefined();
    reader.close();
  });

  it("sends bookmarks to idle watchers that asked for them, and only to them", async () => {
    const { store } = h();
    const a = await store.create("/things/ns/a", obj("a"));
    const from = String(rv(a));
    const withMarks = await store.watch("/things/", { resourceVersion: from, allowBookmarks: true });
    const without = await store.watch("/things/", { resourceVersion: from });
    const first = await collect(withMarks, 1, 3_000, (e) => e.type === "BOOKMARK");
    expect(first.length).toBe(1);
    expect(first[0]!.revision).toBeGreaterThanOrEqual(rv(a));
    expect(first[0]!.object.metadata).toEqual({ resourceVersion: String(first[0]!.revision) });
    const b = await store.create("/things/ns/b", obj("b"));
    // A bookmark at or past b's revision promises b's event was sent before it.
    const after = await collect(withMarks, 2, 3_000, (e) => e.type === "ADDED" || e.revision >= rv(b));
    expect(after.map((e) => [e.type, e.object.metadata.name ?? null])).toEqual([
      ["ADDED", "b"],
      ["BOOKMARK", null],
    ]);
    const plain = await collect(without, 1, 3 * testTuning.bookmarkIntervalMs, () => true);
    expect(plain.map((e) => e.type)).toEqual(["ADDED"]);
    withMarks.close();
    without.close();
  });

  it("watch-list: initial ADDED events, then the initial-events-end BOOKMARK, then changes", async () => {
    const { store } = h();
    await store.create("/things/ns/a", obj("a", {}, blue));
    await store.create("/things/ns/b", obj("b"));
    const c = await store.create("/things/ns/c", obj("c", {}, blue));
    const w = await store.watch("/things/", { sendInitialEvents: true, allowBookmarks: true, predicate: labelled });
    const initial = await collect(w, 3, 3_000, () => true);
    expect(initial.map((e) => [e.type, e.object.metadata.name ?? null])).toEqual([
      ["ADDED", "a"],
      ["ADDED", "c"],
      ["BOOKMARK", null],
    ]);
    const marker = initial[2]!;
    expect(marker.object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    expect(marker.revision).toBeGreaterThanOrEqual(rv(c));
    expect(marker.object.metadata.resourceVersion).toBe(String(marker.revision));
    const d = await store.create("/things/ns/d", obj("d", {}, blue));
    const live = await collect(w, 1);
    expect(live.map((e) => [e.type, e.revision])).toEqual([["ADDED", rv(d)]]);
    w.close();
  });

  it("close() ends a watch; closing the store ends every watch", async () => {
    const harness = h();
    const w1 = await harness.store.watch("/things/");
    w1.close();
    expect(await w1.next()).toBeNull();
    expect(w1.endReason).toBe("closed");
    const w2 = await harness.store.watch("/things/");
    const pending = w2.next();
    const reopened = await harness.reopen();
    expect(await pending).toBeNull();
    expect(w2.endReason).toBe("store-closed");
    expect(await reopened.currentRevision()).toBeGreaterThan(0);
  });

  if (target.sharesEvents) {
    it("hands every watcher the same event object (serialize once)", async () => {
      const { store } = h();
      const from = String(await store.currentRevision());
      const ws: Watch[] = await Promise.all([1, 2, 3].map(() => store.watch("/things/", { resourceVersion: from })));
      await store.create("/things/ns/a", obj("a"));
      const got = await Promise.all(ws.map((w) => collect(w, 1)));
      expect(got[1]![0]).toBe(got[0]![0]);
      expect(got[2]![0]).toBe(got[0]![0]);
      got[0]![0]!.encoded.set("json", Buffer.from("x"));
      expect(got[2]![0]!.encoded.get("json")?.toString()).toBe("x");
      for (const w of ws) w.close();
    });
  }
}

function queueLength(w: Watch): number {
  return "queueLength" in w && typeof w.queueLength === "number" ? w.queueLength : 0;
}
