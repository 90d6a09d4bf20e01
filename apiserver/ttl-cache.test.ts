import { describe, expect, it } from "vitest";
import { TTLCache } from "./ttl-cache.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("TTLCache", () => {
  it("reuses an answer until its TTL is over", async () => {
    let t = 0;
    let calls = 0;
    const c = new TTLCache<{ n: number }>({ max: 10, ttlMs: 1000, now: () => t });
    const load = async () => ({ n: ++calls });
    expect(await c.get("k", load)).toEqual({ n: 1 });
    t = 999;
    expect(await c.get("k", load)).toEqual({ n: 1 });
    t = 1_001;
    expect(await c.get("k", load)).toEqual({ n: 2 });
  });

  it("takes the TTL from the answer", async () => {
    let t = 0;
    const c = new TTLCache<{ ok: boolean }>({ max: 10, ttlMs: (v) => (v.ok ? 100 : 1000), now: () => t });
    await c.get("yes", async () => ({ ok: true }));
    await c.get("no", async () => ({ ok: false }));
    t = 500;
    let reloaded = 0;
    await c.get("yes", async () => (reloaded++, { ok: true }));
    await c.get("no", async () => (reloaded++, { ok: false }));
    expect(reloaded).toBe(1);
  });

  it("shares one load among concurrent callers of a key", async () => {
    const c = new TTLCache<{ v: string }>({ max: 10, ttlMs: 1000 });
    const d = deferred<{ v: string }>();
    let calls = 0;
    const load = () => (calls++, d.promise);
    const all = Promise.all([c.get("k", load), c.get("k", load), c.get("k", load)]);
    d.resolve({ v: "x" });
    expect(await all).toEqual([{ v: "x" }, { v: "x" }, { v: "x" }]);
    expect(calls).toBe(1);
  });

  it("never caches an error", async () => {
    const c = new TTLCache<{ v: number }>({ max: 10, ttlMs: 1000 });
    await expect(c.get("k", () => Promise.reject(new Error("hub down")))).rejects.toThrow("hub down");
    expect(await c.get("k", async () => ({ v: 1 }))).toEqual({ v: 1 });
  });

  it("holds its bound, evicting the least recently used", async () => {
    const c = new TTLCache<{ i: number }>({ max: 3, ttlMs: 60_000 });
    for (let i = 0; i < 3; i++) await c.get(`k${i}`, async () => ({ i }));
    await c.get("k0", async () => ({ i: -1 })); // k0 used again: k1 is now the oldest
    for (let i = 3; i < 100; i++) {
      await c.get(`k${i}`, async () => ({ i }));
      expect(c.size).toBeLessThanOrEqual(3);
    }
    let reloaded = false;
    await c.get("k99", async () => ((reloaded = true), { i: 99 }));
    expect(reloaded).toBe(false);
  });
});
