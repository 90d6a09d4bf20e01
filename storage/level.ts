/**
 * The embedded backend: LevelDB (npm `level`) in a data directory, one process at a time (LevelDB locks it).
 *
 * - One revision counter per store, persisted in the same synced batch as the objects it versions
 *   (level-committer.ts), so revisions survive restarts and never go back.
 * - Reads go to LevelDB through an explicit snapshot, which pins the counter and the objects together.
 * - History (watch resume, lists at an exact revision) is an in-memory window (watch-hub.ts) that starts
 *   empty at open: resuming from before a restart answers Expired and clients re-list, as with a restarted
 *   kube-apiserver's watch cache.
 * Production wraps this in the Cacher; on its own it still honours the whole Store contract.
 */
import { Level } from "level";
import {
  StorageError,
  type KubeObject,
  type ListOptions,
  type ListResult,
  type Preconditions,
  type Watch,
  type WatchOptions,
} from "./interface.js";
import type { Backend, Feed, FeedSink, Snapshot } from "./backend.js";
import type { Change } from "./change.js";
import { dataKey, GroupCommitter, revisionKey, splitValue, type WriteOp } from "./level-committer.js";
import { decodeBody, encodeBody } from "./objects.js";
import { listPage } from "./paging.js";
import { planList, planWatch } from "./read-plan.js";
import { prefixEnd, SortedIndex } from "./sorted-index.js";
import { errorText, ignoreStorageEvents, type StorageEventSink } from "./events.js";
import { tuningWith, type StoreTuning } from "./tuning.js";
import { guaranteedUpdateLoop } from "./update-loop.js";
import { initialBacklog, tooLarge, WatchHub } from "./watch-hub.js";

export interface LevelStoreOptions {
  dataDir: string;
  tuning?: Partial<StoreTuning>;
  events?: StorageEventSink;
}

export class LevelStore implements Backend {
  private readonly hub: WatchHub;
  private readonly committer: GroupCommitter;
  private readonly feeds = new Set<{ prefix: string; sink: FeedSink }>();
  private closed = false;

  static async open(opts: LevelStoreOptions): Promise<LevelStore> {
    const db = new Level<string, string>(opts.dataDir, { valueEncoding: "utf8" });
    await db.open();
    let revision = Number((await db.get(revisionKey)) ?? 0);
    if (revision === 0) {
      // Start at 1 like etcd, so no list ever reports resourceVersion "0" (which means "any" to clients).
      revision = 1;
      await db.put(revisionKey, "1", { sync: true });
    }
    return new LevelStore(db, revision, tuningWith(opts.tuning), opts.events ?? ignoreStorageEvents);
  }

  private constructor(
    private readonly db: Level<string, string>,
    revision: number,
    private readonly tuning: StoreTuning,
    private readonly events: StorageEventSink,
  ) {
    this.hub = new WatchHub(revision, tuning);
    this.committer = new GroupCommitter(db, revision, (changes) => this.committed(changes));
  }

  async get(key: string): Promise<KubeObject> {
    this.assertOpen(key);
    const raw = await this.db.get(dataKey(key));
    if (raw === undefined) throw new StorageError("NotFound", key);
    const { revision, body } = splitValue(raw);
    return decodeBody(body, revision);
  }

  /**
   * Reads the prefix from the start key to its end for every page: simple and always consistent, but O(size of
   * the collection) per page. Production lists are served by the Cacher from memory; this path serves the rest
   * (and lists the Cacher hands down).
   */
  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    this.assertOpen(prefix);
    const req = planList(prefix, opts);
    const { plan } = req;
    if (plan.mode === "exact" || plan.mode === "atLeast") await this.waitFor(plan.revision, prefix);
    const snap = await this.read(prefix, req.startKey);
    let overlay: Map<string, KubeObject | null> | undefined;
    let revision = snap.revision;
    if (plan.mode === "exact" && plan.revision < snap.revision) {
      // Undo, from the history window, what changed since the revision asked for.
      this.hub.history.assertResumable(plan.revision, prefix);
      overlay = this.hub.history.undoBetween(prefix, plan.revision, snap.revision);
      revision = plan.revision;
    }
    const state = new SortedIndex();
    state.load(snap.entries);
    return listPage(state, { ...req, revision, ...(overlay !== undefined ? { overlay } : {}) });
  }

  snapshot(prefix: string): Promise<Snapshot> {
    this.assertOpen(prefix);
    return this.read(prefix, prefix);
  }

  /** Objects under prefix from startKey on, and the revision they are at, read through one LevelDB snapshot. */
  private async read(prefix: string, startKey: string): Promise<Snapshot> {
    const snapshot = this.db.snapshot();
    try {
      const revision = Number(await this.db.get(revisionKey, { snapshot }));
      // The snapshot may hold a batch whose events are still being published: wait, it takes microseconds.
      await this.hub.waitForRevision(revision, this.tuning.tooLargeWaitMs);
      const entries: [string, KubeObject][] = [];
      const end = prefixEnd(prefix);
      const from = dataKey(startKey < prefix ? prefix : startKey);
      // Data keys are "d" + key: "e" bounds them all when the prefix has no end of its own.
      const range = { gte: from, lt: end === "" ? "e" : dataKey(end), snapshot };
      for await (const [k, raw] of this.db.iterator(range)) {
        const v = splitValue(raw);
        entries.push([k.slice(1), decodeBody(v.body, v.revision)]);
      }
      return { entries, revision };
    } finally {
      await snapshot.close();
    }
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    this.assertOpen(key);
    const body = encodeBody(obj);
    const result = await this.committer.submit({ kind: "create", key, body, obj: JSON.parse(body) as KubeObject });
    if (!("change" in result)) throw new StorageError("AlreadyExists", key);
    return result.change.object;
  }

  guaranteedUpdate(
    key: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    preconditions?: Preconditions,
    cached?: KubeObject,
  ): Promise<KubeObject> {
    this.assertOpen(key);
    const io = {
      read: (k: string) => this.get(k),
      write: async (k: string, next: KubeObject, cur: KubeObject) => {
        const body = encodeBody(next);
        const op: WriteOp = {
          kind: "update",
          key: k,
          body,
          obj: JSON.parse(body) as KubeObject,
          expectRevision: Number(cur.metadata.resourceVersion),
        };
        const result = await this.committer.submit(op);
        return "change" in result ? { stored: result.change.object } : { current: result.raced };
      },
    };
    return guaranteedUpdateLoop(io, key, tryUpdate, preconditions, cached);
  }

  async delete(key: string, preconditions?: Preconditions, cached?: KubeObject): Promise<KubeObject> {
    this.assertOpen(key);
    const op: WriteOp = {
      kind: "delete",
      key,
      ...(preconditions !== undefined ? { preconditions } : {}),
      // Saves parsing the stored value when it is still this revision (the committer checks).
      ...(cached !== undefined ? { known: cached } : {}),
    };
    const result = await this.committer.submit(op);
    if (!("change" in result)) throw new StorageError("NotFound", key);
    return result.change.object;
  }

  async watch(prefix: string, opts?: WatchOptions): Promise<Watch> {
    this.assertOpen(prefix);
    const plan = planWatch(opts);
    const predicate = opts?.predicate;
    const base = { allowBookmarks: opts?.allowBookmarks === true, ...(predicate ? { predicate } : {}) };
    if (plan.revision !== undefined) await this.waitFor(plan.revision, prefix);
    if (!plan.initial) return this.hub.watch(prefix, plan.revision ?? this.hub.revision, base);
    const listed = await this.list(prefix, predicate !== undefined ? { predicate } : {});
    const backlog = initialBacklog(listed.items, listed.revision, plan.endMarker);
    return this.hub.watch(prefix, listed.revision, { ...base, backlog });
  }

  /** Synced batches written since open (each one fsync), for metrics and tests. */
  get commitBatches(): number {
    return this.committer.batches;
  }

  async currentRevision(): Promise<number> {
    return this.hub.revision;
  }

  async feed(prefix: string, from: number, sink: FeedSink): Promise<Feed> {
    this.assertOpen(prefix);
    this.hub.history.assertResumable(from, prefix);
    // Replay and subscribe in one synchronous step: no change can slip between them.
    const replay = [...this.hub.history.between(from)].filter((e) => e.key.startsWith(prefix));
    if (replay.length > 0) sink.changes(replay);
    const entry = { prefix, sink };
    this.feeds.add(entry);
    return { close: () => this.feeds.delete(entry) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.committer.drain();
    this.hub.close();
    this.feeds.clear();
    await this.db.close();
  }

  private committed(changes: Change[]): void {
    this.hub.publish(changes);
    for (const feed of this.feeds) {
      const mine = feed.prefix === "" ? changes : changes.filter((c) => c.key.startsWith(feed.prefix));
      if (mine.length === 0) continue;
      try {
        feed.sink.changes(mine);
      } catch (err) {
        // The batch is durable whatever a consumer does with it: drop the consumer, not the writes.
        this.feeds.delete(feed);
        const why = errorText(err);
        this.events({ kind: "feed-consumer-dropped", message: `a consumer of the change feed under "${feed.prefix}" failed and was dropped`, error: why });
        feed.sink.broken(new StorageError("Unavailable", feed.prefix, `feed consumer failed: ${why}`));
      }
    }
  }

  private async waitFor(revision: number, key: string): Promise<void> {
    if (!(await this.hub.waitForRevision(revision, this.tuning.tooLargeWaitMs))) {
      throw tooLarge(key, revision, this.hub.revision);
    }
  }

  private assertOpen(key: string): void {
    if (this.closed) throw new StorageError("Unavailable", key, "store is closed");
  }
}
