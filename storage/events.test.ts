/** Storage tells whoever opened it what it retried or dropped (events.ts); nothing is silent. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Etcd3 } from "etcd3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EtcdCompactor } from "./etcd-compactor.js";
import type { StorageEvent } from "./events.js";
import { LevelStore } from "./level.js";

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("storage events", () => {
  it("a failed etcd compaction is reported, and compaction tries again next interval", async () => {
    vi.useFakeTimers();
    const events: StorageEvent[] = [];
    const failing = { kv: { txn: () => Promise.reject(new Error("etcdserver: mvcc: required revision has been compacted")) } } as unknown as Etcd3;
    const compactor = new EtcdCompactor(failing, "/clusterset", 60_000, (e) => events.push(e));
    compactor.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events).toEqual([expect.objectContaining({ kind: "etcd-compaction-failed", error: expect.stringContaining("compacted") })]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events).toHaveLength(2);
    compactor.stop();
  });

  it("a feed consumer that throws is dropped, and that is reported", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "clusterset-events-"));
    dirs.push(dir);
    const events: StorageEvent[] = [];
    const store = await LevelStore.open({ dataDir: dir, events: (e) => events.push(e) });
    const broken: unknown[] = [];
    await store.feed("/works/", await store.currentRevision(), {
      changes: () => {
        throw new Error("consumer bug");
      },
      progress: () => undefined,
      broken: (err) => broken.push(err),
    });
    await store.create("/works/ns/w", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "w", namespace: "ns" } });
    expect(events).toEqual([expect.objectContaining({ kind: "feed-consumer-dropped", error: "consumer bug" })]);
    expect(broken).toHaveLength(1);
    await store.close();
  });
});
