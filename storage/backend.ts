/**
 * What the watch cache (cacher.ts) needs from a backend beyond `Store`: a change feed it can apply to its
 * in-memory state, a way to confirm it is up to date, and an update that may start from its cached copy.
 * LevelStore and EtcdStore implement it; nothing outside storage/ needs to know it exists.
 */
import type { KubeObject, Preconditions, StorageError, Store } from "./interface.js";
import type { Change } from "./change.js";

export interface FeedSink {
  /** Durable changes under the feed's prefix, in revision order. */
  changes(changes: readonly Change[]): void;
  /**
   * Nothing else under the feed's prefix happened up to revision: only from etcd's per-watcher progress
   * notifications, which travel in order with the events (unlike answers to progress requests, see etcd-watch.ts).
   */
  progress(revision: number): void;
  /** The feed cannot continue without a gap (e.g. etcd compacted past it while disconnected): resync. */
  broken(err: StorageError): void;
}

export interface Feed {
  close(): void;
}

export interface Snapshot {
  /** [key, object] for every object under the prefix, sorted by key. */
  entries: [string, KubeObject][];
  revision: number;
}

export interface Backend extends Store {
  /** Everything under prefix at one revision (the newest), with keys: how the watch cache fills itself. */
  snapshot(prefix: string): Promise<Snapshot>;
  /** Every change under prefix after revision from, then live ones. Throws Expired if from is out of reach. */
  feed(prefix: string, from: number, sink: FeedSink): Promise<Feed>;
  /**
   * As Store.guaranteedUpdate, but the first attempt may start from `cached` (the watch cache's copy) instead of
   * reading the object: a stale copy only costs a retry.
   */
  guaranteedUpdate(
    key: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    preconditions?: Preconditions,
    cached?: KubeObject,
  ): Promise<KubeObject>;
  /** As Store.delete, with the same kind of hint as guaranteedUpdate. */
  delete(key: string, preconditions?: Preconditions, cached?: KubeObject): Promise<KubeObject>;
}
