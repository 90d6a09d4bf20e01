/**
 * What the conformance suite needs from each store under test, and small helpers shared by its parts.
 */
import { expect } from "vitest";
import { StorageError, type KubeObject, type StorageErrorCode, type Watch, type WatchEvent } from "../interface.js";
import type { Store } from "../interface.js";
import type { StoreTuning } from "../tuning.js";

export interface StoreHarness {
  /** The store under test: empty when handed out. */
  store: Store;
  /** Closes the store and opens the same data again (level: the same directory; etcd: a new client). */
  reopen(): Promise<Store>;
  /** Makes every revision up to `revision` unusable for resume and exact lists (compaction, window overflow). */
  expire(revision: number): Promise<void>;
  /** Closes whatever store is current and removes its data. */
  close(): Promise<void>;
}

export interface ConformanceTarget {
  name: string;
  open(tuning: StoreTuning): Promise<StoreHarness>;
  /** Every limited list without a predicate reports remainingItemCount. */
  countsRemaining: boolean;
  /** Watchers of one prefix receive the very same WatchEvent objects (shared fan-out). */
  sharesEvents: boolean;
}

/** Small windows and intervals so that expiry, eviction and bookmarks happen fast. */
export const testTuning: StoreTuning = {
  historyLimit: 40,
  watchQueueLimit: 20,
  bookmarkIntervalMs: 100,
  tooLargeWaitMs: 300,
};

export function obj(name: string, extra: Partial<KubeObject> = {}, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: "multicluster.x-k8s.io/v1alpha1",
    kind: "Thing",
    ...extra,
    metadata: { name, namespace: "ns", uid: `uid-${name}`, ...(labels ? { labels } : {}) },
  };
}

export const rv = (o: KubeObject): number => Number(o.metadata.resourceVersion);

export async function expectStorageError(p: Promise<unknown>, code: StorageErrorCode): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe(code);
    return err as StorageError;
  }
  throw new Error(`expected StorageError ${code}, but the call succeeded`);
}

/**
 * Reads from w until `count` events matched `keep` (default: all but BOOKMARK) or timeoutMs passed.
 * Returns what it kept; the caller asserts on the count.
 */
export async function collect(
  w: Watch,
  count: number,
  timeoutMs = 5_000,
  keep: (ev: WatchEvent) => boolean = (ev) => ev.type !== "BOOKMARK",
): Promise<WatchEvent[]> {
  const got: WatchEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const batch = await Promise.race([w.next(), sleep(left).then(() => "timeout" as const)]);
    if (batch === "timeout" || batch === null) break;
    for (const ev of batch) if (keep(ev)) got.push(ev);
  }
  return got;
}

/** The next batch, or "timeout" if none arrives within ms. The pending next() stays pending on timeout. */
export function nextWithin(w: Watch, ms: number): Promise<WatchEvent[] | null | "timeout"> {
  return Promise.race([w.next(), sleep(ms).then(() => "timeout" as const)]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Writes n small objects under /filler/ concurrently: pushes in-memory windows forward. */
export async function writeFillers(store: Store, n: number, tag: string): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => store.create(`/filler/${tag}-${i}`, obj(`${tag}-${i}`))));
}
