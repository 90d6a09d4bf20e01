/**
 * The storage contract. Every backend (level, etcd) and every decorator (the watch cache) implements `Store`,
 * and `storage.case.ts` checks each of them against the same expectations.
 *
 * Keys are strings `/<resource>/<namespace>/<name>`; a prefix such as `/works/` or `/works/default/` selects a
 * collection. Objects are Kubernetes objects as JSON; `metadata.resourceVersion` is always the decimal string of
 * the store's revision at the object's last write. Storage knows nothing of HTTP, Status objects or schemas:
 * it throws `StorageError`, which the resources layer turns into Status answers.
 *
 * Objects are IMMUTABLE once stored. Every object a Store returns (get, list items, watch events, the results of
 * create/guaranteedUpdate/delete) is deep-frozen and shared with the watch cache, its history and every watcher:
 * that is what lets a LIST of 10,000 objects and a fan-out to thousands of watchers run without copies. To change
 * an object, build a new one (`{ ...cur, metadata: { ...cur.metadata, labels } }`, or `structuredClone(cur)` and
 * edit the clone); writing to a returned object throws a TypeError. Objects passed to create and returned by
 * tryUpdate are not kept: the store keeps its own JSON copy, so the caller's object stays the caller's.
 * Keys are compared as JavaScript strings (the same order as etcd's byte order for the ASCII names Kubernetes
 * allows).
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: unknown[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type StorageErrorCode =
  | "NotFound" // no object at the key
  | "AlreadyExists" // create on an existing key
  | "Conflict" // a precondition (uid, resourceVersion) did not hold
  | "Expired" // a revision older than the history window / compaction (list continue, watch resume)
  | "TooLargeResourceVersion" // a revision newer than the store has reached (after waiting briefly)
  | "InvalidContinue" // a continue token that does not decode
  | "Unavailable"; // the backend cannot serve right now (etcd down, store closed)

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    message?: string,
  ) {
    super(message ?? `${code}: ${key}`);
    this.name = "StorageError";
  }
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface ListOptions {
  /**
   * undefined or "": the latest state (a consistent read).
   * "0": any state the store has at hand (served from memory; still a complete list).
   * "<n>": with resourceVersionMatch "Exact", the state at exactly revision n (Expired if out of the window);
   *        with "NotOlderThan" or no match, a state at revision >= n.
   */
  resourceVersion?: string;
  resourceVersionMatch?: "Exact" | "NotOlderThan";
  /** At most this many items; 0 or undefined: all. */
  limit?: number;
  /** Token from an earlier ListResult.continue: the next page, at the first page's revision. */
  continue?: string;
  /** Items for which it returns false are skipped (and do not count toward limit). */
  predicate?: (obj: KubeObject) => boolean;
}

export interface ListResult {
  items: KubeObject[];
  /** The revision the list reflects; becomes list.metadata.resourceVersion. */
  revision: number;
  /** Set when limit cut the list: pass it back as ListOptions.continue. */
  continue?: string;
  /** How many items (matching the predicate) follow this page, when known. */
  remainingItemCount?: number;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

export interface WatchEvent {
  type: WatchEventType;
  /** For DELETED: the last state, with resourceVersion set to the revision of the delete. For BOOKMARK: only
   * metadata.resourceVersion (and, for the watch-list end marker, the annotation k8s.io/initial-events-end). */
  object: KubeObject;
  revision: number;
  /**
   * Serialized forms of this event, filled by the first watcher that needs a given encoding and reused by every
   * other watcher (the key names the encoding, e.g. "json" or "table;wide"). Shared: never mutate `object`.
   */
  readonly encoded: Map<string, Buffer>;
}

export interface WatchOptions {
  /**
   * undefined, "" or "0": first a synthetic ADDED event for every current object, then changes.
   * "<n>": every change after revision n (Expired, thrown by watch(), if n is older than the history window).
   */
  resourceVersion?: string;
  /** Events whose object fails it are skipped (a MODIFIED that makes an object stop matching is sent as
   * DELETED, one that makes it start matching as ADDED, as kube-apiserver's watch cache does). */
  predicate?: (obj: KubeObject) => boolean;
  /** Emit BOOKMARK events now and then (at least once a minute while idle). */
  allowBookmarks?: boolean;
  /** Watch-list: initial ADDED events, then a BOOKMARK annotated k8s.io/initial-events-end: "true". */
  sendInitialEvents?: boolean;
}

export interface Watch {
  /**
   * The next events in revision order, waiting until at least one is there. Resolves null once the watch has
   * ended: closed by the caller, by the store closing, or because this watcher fell too far behind (its bounded
   * queue overflowed; `endReason` then says so and the client is expected to re-list). "too-slow" is also the
   * reason when the watch cache had to reload from its backend (e.g. etcd compacted past it during an outage):
   * either way a resume from the last revision seen may answer Expired, and the client re-lists.
   * Once ended, events still queued are dropped.
   */
  next(): Promise<WatchEvent[] | null>;
  close(): void;
  readonly endReason?: "closed" | "too-slow" | "store-closed";
}

export interface Store {
  /** The object at key. Throws NotFound. */
  get(key: string): Promise<KubeObject>;

  /** Objects under prefix, sorted by key, at the revision ListOptions asks for. Throws Expired, InvalidContinue. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;

  /**
   * Stores obj at key with a new revision; resolves only once the write is durable. Returns the stored object
   * (resourceVersion set). Throws AlreadyExists. obj.metadata.resourceVersion must be unset.
   */
  create(key: string, obj: KubeObject): Promise<KubeObject>;

  /**
   * Read-modify-write: calls tryUpdate with the current object and stores what it returns, retrying with the
   * newer object if another write raced in between (so tryUpdate may run more than once and must be pure apart
   * from what it returns). tryUpdate may throw to abort (that error propagates). Returning the very same object
   * (===) stores nothing and returns it unchanged. Throws NotFound, or Conflict when preconditions fail.
   * Optimistic concurrency for clients is the caller's job: compare metadata.resourceVersion inside tryUpdate.
   */
  guaranteedUpdate(
    key: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    preconditions?: Preconditions,
  ): Promise<KubeObject>;

  /** Removes the object; returns its last state with resourceVersion of the delete. Throws NotFound, Conflict. */
  delete(key: string, preconditions?: Preconditions): Promise<KubeObject>;

  /** Events for keys under prefix. Throws Expired (resume revision too old), TooLargeResourceVersion. */
  watch(prefix: string, opts?: WatchOptions): Promise<Watch>;

  /** The newest revision the store has committed. */
  currentRevision(): Promise<number>;

  /** Ends every watch (endReason "store-closed") and releases the backend. */
  close(): Promise<void>;
}
