import { describe, expect, it } from "vitest";
import type { Change } from "./change.js";
import type { KubeObject } from "./interface.js";
import { StorageError } from "./interface.js";
import { deepFreeze } from "../lib/objects.js";
import { testTuning } from "./conformance/harness.js";
import { initialBacklog, WatchHub } from "./watch-hub.js";

const o = (name: string, rv: number): KubeObject => deepFreeze({ metadata: { name, resourceVersion: String(rv) } });
const added = (key: string, rv: number): Change => ({ type: "ADDED", key, revision: rv, object: o(key, rv) });

describe("WatchHub", () => {
  it("delivers only keys under each watcher's prefix (no /ab/ for /a/)", async () => {
    const hub = new WatchHub(1, testTuning);
    const a = hub.watch("/a/", 1, { allowBookmarks: false });
    const ab = hub.watch("/ab/", 1, { allowBookmarks: false });
    hub.publish([added("/a/x", 2), added("/ab/y", 3), added("/a/z", 4)]);
    expect((await a.next())?.map((e) => e.revision)).toEqual([2, 4]);
    expect((await ab.next())?.map((e) => e.revision)).toEqual([3]);
  });

  it("resumes from any revision in the window and answers Expired one before it", async () => {
    const hub = new WatchHub(10, { ...testTuning, historyLimit: 3 });
    hub.publish([11, 12, 13, 14, 15].map((rv) => added(`/a/${rv}`, rv)));
    // The window holds 13..15: resuming from 12 misses nothing, from 11 would miss 12.
    expect(hub.history.oldestResumable).toBe(12);
    const w = hub.watch("/a/", 12, { allowBookmarks: false });
    expect((await w.next())?.map((e) => e.revision)).toEqual([13, 14, 15]);
    expect(() => hub.watch("/a/", 11, { allowBookmarks: false })).toThrow(StorageError);
  });

  it("overflow ends only the slow watcher and drops its queue", async () => {
    const hub = new WatchHub(1, { ...testTuning, watchQueueLimit: 5 });
    const slow = hub.watch("/a/", 1, { allowBookmarks: false });
    const fast = hub.watch("/a/", 1, { allowBookmarks: false });
    for (let rv = 2; rv <= 7; rv++) {
      hub.publish([added(`/a/${rv}`, rv)]);
      expect((await fast.next())?.map((e) => e.revision)).toEqual([rv]);
    }
    expect(slow.endReason).toBe("too-slow");
    expect(slow.queueLength).toBe(0);
    expect(await slow.next()).toBeNull();
    expect(hub.watchers).toBe(1);
  });

  it("hands out a large initial backlog in order, in chunks, outside the queue limit", async () => {
    const hub = new WatchHub(2_000, { ...testTuning, watchQueueLimit: 5 });
    const items = Array.from({ length: 1_200 }, (_, i) => o(`o${i}`, i + 1));
    const w = hub.watch("/a/", 2_000, { allowBookmarks: false, backlog: initialBacklog(items, 2_000, true) });
    const sizes: number[] = [];
    const seen: string[] = [];
    while (seen.length < 1_201) {
      const batch = (await w.next()) ?? [];
      sizes.push(batch.length);
      for (const e of batch) seen.push(e.type === "BOOKMARK" ? "end" : (e.object.metadata.name as string));
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    expect(seen.slice(0, 3)).toEqual(["o0", "o1", "o2"]);
    expect(seen[1_200]).toBe("end");
    expect(w.endReason).toBeUndefined();
  });

  it("shares one bookmark object among idle watchers of a tick", async () => {
    const hub = new WatchHub(7, { ...testTuning, bookmarkIntervalMs: 20 });
    const ws = [1, 2].map(() => hub.watch("/a/", 7, { allowBookmarks: true }));
    const [b1, b2] = await Promise.all(ws.map((w) => w.next()));
    expect(b1?.[0]?.type).toBe("BOOKMARK");
    expect(b1?.[0]?.revision).toBe(7);
    expect(b2?.[0]).toBe(b1?.[0]);
    hub.close();
    expect(ws.map((w) => w.endReason)).toEqual(["store-closed", "store-closed"]);
  });
});
