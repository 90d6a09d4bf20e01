/**
 * The watch cache: a `Store` over a Backend that serves reads and watches from memory, like k8s.io/apiserver's
 * Cacher. It holds the current state (sorted-index.ts) and the history window (watch-hub.ts), fed by the
 * backend's change feed: level calls it synchronously on every commit; etcd's watch delivers every replica's
 * writes, so watchers on replica B see what was written through replica A.
 *
 * - Writes go to the backend; the answer waits until the cache has applied the write (read-your-writes).
 * - Consistent reads (resourceVersion "") first make sure the cache has reached the backend's current revision
 *   (free for level; for etcd one cheap revision read). If it has not within syncTimeoutMs — with etcd, writes
 *   to keys outside our prefix move the revision without events for us, and etcd 3.4 has no trustworthy
 *   progress request — the read goes to the backend instead: slower, never stale. A watch from "now" does
 *   not fall back: it starts from the cache, whose events follow.
 * - Lists at an exact revision inside the window are served from memory by undoing newer changes; older ones
 *   go to the backend (which may still have them, or answers Expired).
 * - A broken feed (etcd compacted past it) means a resync: reload the state, restart the window, end every
 *   watcher with "too-slow" so clients re-list, exactly as after falling behind.
 */
import {
  StorageError,
  type KubeObject,
  type ListOptions,
  type ListResult,
  type Preconditions,
  type Store,
  type Watch,
  type WatchOptions,
} from "./interface.js";
import type { Backend, Feed, FeedSink } from "./backend.js";
import type { Change } from "./change.js";
import { revisionOf } from "./objects.js";
import { listPage } from "./paging.js";
import { planList, planWatch } from "./read-plan.js";
import { SortedIndex } from "./sorted-index.js";
import { errorText, ignoreStorageEvents, type StorageEventSink } from "./events.js";
import { tuningWith, type StoreTuning } from "./tuning.js";
import { initialBacklog, tooLarge, WatchHub } from "./watch-hub.js";

export interface CacherOptions {
  tuning?: Partial<StoreTuning>;
  /** How long a consistent read waits for the feed to catch up before reading the backend directly. */
  syncTimeoutMs?: number;
  /** How long a write waits for its own change to come back through the feed before answering anyway. */
  applyTimeoutMs?: number;
  events?: StorageEventSink;
}

/** Everything the cache holds is under this prefix (every store key starts with "/"). */
const root = "/";

export class Cacher implements Store {
  private readonly state = new SortedIndex();
  private readonly hub: WatchHub;
  private readonly tuning: StoreTuning;
  private readonly syncTimeoutMs: number;
  private readonly applyTimeoutMs: number;
  private feed?: Feed;
  private resyncing = false;
  private closed = false;
  private readonly events: StorageEventSink;

  /** Loads the backend's state and subscribes to its changes; the Cacher owns the backend from then on. */
  static async start(backend: Backend, opts: CacherOptions = {}): Promise<Cacher> {
    const cacher = new Cacher(backend, opts);
    await cacher.load();
    return cacher;
  }

  private constructor(
    private readonly backend: Backend,
    opts: CacherOptions,
  ) {
    this.tuning = tuningWith(opts.tuning);
    this.syncTimeoutMs = opts.syncTimeoutMs ?? 100;
    this.applyTimeoutMs = opts.applyTimeoutMs ?? 3_000;
    this.hub = new WatchHub(0, this.tuning);
    this.events = opts.events ?? ignoreStorageEvents;
  }

  async get(key: string): Promise<KubeObject> {
    this.assertOpen(key);
    if (!(await this.syncToBackend())) return this.backend.get(key);
    const obj = this.state.get(key);
    if (obj === undefined) throw new StorageError("NotFound", key);
    return obj;
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    this.assertOpen(prefix);
    const req = planList(prefix, opts);
    const { plan } = req;
    if (plan.mode === "latest" && !(await this.syncToBackend())) return this.backend.list(prefix, opts);
    if ((plan.mode === "exact" || plan.mode === "atLeast") && !(await this.cacheHas(plan.revision, prefix))) {
      return this.backend.list(prefix, opts);
    }
    const now = this.hub.revision;
    if (plan.mode !== "exact" || plan.revision === now) return listPage(this.state, { ...req, revision: now });
    if (plan.revision < this.hub.history.oldestResumable) return this.backend.list(prefix, opts);
    const overlay = this.hub.history.undoBetween(prefix, plan.revision, now);
    return listPage(this.state, { ...req, revision: plan.revision, overlay });
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    this.assertOpen(key);
    return this.applied(await this.backend.create(key, obj));
  }

  async guaranteedUpdate(
    key: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    preconditions?: Preconditions,
  ): Promise<KubeObject> {
    this.assertOpen(key);
    // Start from the cached copy: no read from the backend unless it turns out stale.
    const cached = this.state.get(key);
    return this.applied(await this.backend.guaranteedUpdate(key, tryUpdate, preconditions, cached));
  }

  async delete(key: string, preconditions?: Preconditions): Promise<KubeObject> {
    this.assertOpen(key);
    return this.applied(await this.backend.delete(key, preconditions, this.state.get(key)));
  }

  async watch(prefix: string, opts?: WatchOptions): Promise<Watch> {
    this.assertOpen(prefix);
    const plan = planWatch(opts);
    const predicate = opts?.predicate;
    const base = { allowBookmarks: opts?.allowBookmarks === true, ...(predicate ? { predicate } : {}) };
    if (plan.consistent) await this.syncToBackend();
    if (plan.revision !== undefined && !(await this.cacheHas(plan.revision, prefix))) {
      // etcd is at the revision, the cache is not (etcd moved on for keys not ours). Changes: start there
      // anyway, skipping what arrives up to it. A state at that revision: only the backend has one.
      if (plan.initial) return this.backend.watch(prefix, opts);
      return this.hub.watch(prefix, plan.revision, base);
    }
    if (!plan.initial) return this.hub.watch(prefix, plan.revision ?? this.hub.revision, base);
    // State and registration in one synchronous step: the watcher gets every change after this state.
    const now = this.hub.revision;
    const items = listPage(this.state, { prefix, startKey: prefix, revision: now, limit: 0, ...base }).items;
    return this.hub.watch(prefix, now, { ...base, backlog: initialBacklog(items, now, plan.endMarker) });
  }

  async currentRevision(): Promise<number> {
    await this.syncToBackend();
    return this.hub.revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feed?.close();
    this.hub.close();
    await this.backend.close();
  }

  /** Number of objects held, for metrics. */
  get size(): number {
    return this.state.size;
  }

  private readonly sink: FeedSink = {
    changes: (changes) => this.apply(changes),
    progress: (revision) => this.hub.progress(revision),
    broken: (err) => void this.resync(err),
  };

  private apply(changes: readonly Change[]): void {
    const withPrev: Change[] = [];
    for (const c of changes) {
      if (c.revision < this.hub.revision) continue;
      // The cache's own copy is the authoritative "before" for rollbacks and predicate transitions.
      const prev = this.state.get(c.key) ?? c.prev;
      if (c.type === "DELETED") this.state.delete(c.key);
      else this.state.set(c.key, c.object);
      withPrev.push({ type: c.type, key: c.key, revision: c.revision, object: c.object, prev });
    }
    this.hub.publish(withPrev);
  }

  private async load(): Promise<void> {
    const snap = await this.backend.snapshot(root);
    this.state.load(snap.entries);
    this.hub.endAll("too-slow", snap.revision);
    this.feed = await this.backend.feed(root, snap.revision, this.sink);
  }

  private async resync(cause?: unknown): Promise<void> {
    if (this.resyncing || this.closed) return;
    this.resyncing = true;
    this.feed?.close();
    this.feed = undefined;
    this.events({
      kind: "cacher-resync",
      message: "the watch cache lost its feed: reloading from the backend; every open watch ends and its client re-lists",
      ...(cause !== undefined ? { error: errorText(cause) } : {}),
    });
    for (let delay = 100; !this.closed; delay = Math.min(delay * 2, 5_000)) {
      try {
        await this.load();
        break;
      } catch (err) {
        this.events({ kind: "cacher-reload-failed", message: `the watch cache could not reload; retrying in ${delay} ms`, error: errorText(err) });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    this.resyncing = false;
  }

  /** Waits until the cache has applied the write that produced obj, so a following read sees it. */
  private async applied(obj: KubeObject): Promise<KubeObject> {
    await this.reach(revisionOf(obj), this.applyTimeoutMs);
    return obj;
  }

  /** True once the cache reflects everything the backend had committed when this was called. */
  private async syncToBackend(): Promise<boolean> {
    return this.reach(await this.backend.currentRevision(), this.syncTimeoutMs);
  }

  /**
   * True once the cache is at revision; false if only the backend is (the cache cannot tell whether it missed
   * something: the caller reads the backend). TooLargeResourceVersion if neither gets there in time.
   */
  private async cacheHas(revision: number, key: string): Promise<boolean> {
    if (await this.reach(revision, this.syncTimeoutMs)) return true;
    const deadline = Date.now() + this.tuning.tooLargeWaitMs;
    for (;;) {
      const current = await this.backend.currentRevision();
      if (current >= revision) return this.hub.revision >= revision;
      const left = deadline - Date.now();
      if (left <= 0) throw tooLarge(key, revision, current);
      if (await this.reach(revision, Math.min(left, 100))) return true;
    }
  }

  /** Waits until the cache is at revision or beyond; false after timeoutMs. */
  private reach(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.hub.waitForRevision(revision, timeoutMs);
  }

  private assertOpen(key: string): void {
    if (this.closed) throw new StorageError("Unavailable", key, "store is closed");
  }
}
