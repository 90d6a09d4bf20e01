/**
 * Fan-out of committed changes to watchers, with the history window that makes resume gap-free.
 *
 * publish() runs synchronously when a change is applied: each change becomes one HistoryEntry whose WatchEvent is
 * built once and shared by every watcher (and by its `encoded` cache). Watchers are grouped by prefix so a change
 * is only tested against the few distinct prefixes, not every watcher. A watch starting at revision n is
 * registered and replayed from the window in the same synchronous step, so it sees every change after n exactly
 * once. Bookmarks come from one timer for the whole hub, not one per watcher.
 */
import { StorageError, type KubeObject, type WatchEvent } from "./interface.js";
import { bookmarkEvent, HistoryEntry, initialAddedEvent, type Change } from "./change.js";
import { revisionOf } from "./objects.js";
import { History } from "./history.js";
import { QueuedWatch } from "./queued-watch.js";
import type { StoreTuning } from "./tuning.js";

export interface HubWatchOptions {
  predicate?: (obj: KubeObject) => boolean;
  allowBookmarks: boolean;
  /** Events to send first (initial ADDED events and the like), in order. */
  backlog?: readonly WatchEvent[];
}

type RevisionWaiter = { revision: number; resolve: (reached: boolean) => void };

export class WatchHub {
  readonly history: History;
  private rev: number;
  private readonly byPrefix = new Map<string, Set<QueuedWatch>>();
  private watcherCount = 0;
  private waiters: RevisionWaiter[] = [];
  private ticker?: NodeJS.Timeout;
  private bookmarkCache?: WatchEvent;

  constructor(
    startRevision: number,
    private readonly tuning: StoreTuning,
  ) {
    this.rev = startRevision;
    this.history = new History(tuning.historyLimit, startRevision);
  }

  /** The newest revision whose changes have all been published. */
  get revision(): number {
    return this.rev;
  }

  get watchers(): number {
    return this.watcherCount;
  }

  /** Records changes (in revision order) and hands them to every interested watcher. */
  publish(changes: readonly Change[]): HistoryEntry[] {
    const entries: HistoryEntry[] = [];
    for (const change of changes) {
      // Already seen (a replayed feed). "<" not "<=": a foreign multi-key etcd transaction shares one revision.
      if (change.revision < this.rev) continue;
      const entry = new HistoryEntry(change);
      entries.push(entry);
      this.history.push(entry);
      this.rev = entry.revision;
      for (const [prefix, set] of this.byPrefix) {
        if (!entry.key.startsWith(prefix)) continue;
        for (const w of set) w.offer(entry);
      }
    }
    this.releaseWaiters();
    return entries;
  }

  /** The backend confirmed that nothing else happened up to revision (etcd progress). */
  progress(revision: number): void {
    if (revision <= this.rev) return;
    this.rev = revision;
    this.releaseWaiters();
  }

  /**
   * A watcher for changes under prefix after revision from. Throws Expired when the window no longer reaches back
   * to from. from may be ahead of the hub only when the caller knows the backend reached it (etcd revisions moved
   * by keys outside our prefix): changes up to from are then skipped as they come.
   */
  watch(prefix: string, from: number, opts: HubWatchOptions): QueuedWatch {
    this.history.assertResumable(from, prefix);
    const w = new QueuedWatch({
      prefix,
      allowBookmarks: opts.allowBookmarks,
      queueLimit: this.tuning.watchQueueLimit,
      startRevision: from,
      onEnd: (ended) => this.forget(ended),
      ...(opts.predicate !== undefined ? { predicate: opts.predicate } : {}),
    });
    if (opts.backlog !== undefined) w.addBacklog(opts.backlog);
    const replay: WatchEvent[] = [];
    for (const entry of this.history.between(from)) {
      if (!entry.key.startsWith(prefix)) continue;
      const ev = entry.eventFor(w.predicate);
      if (ev !== undefined) replay.push(ev);
    }
    w.addBacklog(replay);
    w.floor = Math.max(from, this.rev);
    w.revision = Math.max(w.revision, w.floor);
    let set = this.byPrefix.get(prefix);
    if (set === undefined) this.byPrefix.set(prefix, (set = new Set()));
    set.add(w);
    this.watcherCount++;
    this.startTicker();
    return w;
  }

  /** Resolves true once revision is published, false after timeoutMs. */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.rev >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: RevisionWaiter = { revision, resolve };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      waiter.resolve = (reached) => {
        clearTimeout(timer);
        resolve(reached);
      };
      this.waiters.push(waiter);
    });
  }

  /** Ends every watcher (e.g. "store-closed"); with a revision, also restarts the window there (resync). */
  endAll(reason: NonNullable<QueuedWatch["endReason"]>, restartAt?: number): void {
    for (const set of [...this.byPrefix.values()]) for (const w of [...set]) w.end(reason);
    if (restartAt !== undefined) {
      this.history.reset(restartAt);
      this.rev = restartAt;
    }
  }

  close(): void {
    this.endAll("store-closed");
    for (const w of this.waiters) w.resolve(false);
    this.waiters = [];
  }

  private forget(w: QueuedWatch): void {
    const set = this.byPrefix.get(w.prefix);
    if (set === undefined || !set.delete(w)) return;
    if (set.size === 0) this.byPrefix.delete(w.prefix);
    this.watcherCount--;
    if (this.watcherCount === 0) this.stopTicker();
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return;
    const still: RevisionWaiter[] = [];
    for (const w of this.waiters) (w.revision <= this.rev ? w.resolve(true) : still.push(w));
    this.waiters = still;
  }

  private startTicker(): void {
    if (this.ticker !== undefined) return;
    const interval = this.tuning.bookmarkIntervalMs;
    this.ticker = setInterval(() => this.tick(), Math.max(5, Math.floor(interval / 4)));
    this.ticker.unref();
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private tick(): void {
    const now = Date.now();
    const interval = this.tuning.bookmarkIntervalMs;
    // One bookmark object per revision, shared by every watcher that gets one.
    const bookmark = () =>
      this.bookmarkCache?.revision === this.rev ? this.bookmarkCache : (this.bookmarkCache = bookmarkEvent(this.rev));
    for (const set of this.byPrefix.values()) for (const w of set) w.bookmarkIfIdle(now, interval, bookmark);
  }
}

export function tooLarge(key: string, revision: number, current: number): StorageError {
  return new StorageError(
    "TooLargeResourceVersion",
    key,
    `Too large resource version: ${revision}, current: ${current}`,
  );
}

/** The start of a watch that begins with the current state: ADDED per object, then maybe the watch-list marker. */
export function initialBacklog(items: readonly KubeObject[], revision: number, endMarker: boolean): WatchEvent[] {
  const events = items.map((obj) => initialAddedEvent(obj, revisionOf(obj)));
  if (endMarker) events.push(bookmarkEvent(revision, true));
  return events;
}
