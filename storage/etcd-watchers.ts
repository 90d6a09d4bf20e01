/**
 * Client watches served straight from etcd (the EtcdStore without the cache): one etcd watcher per Watch,
 * multiplexed on the store's stream, each feeding a bounded QueuedWatch; one timer for everyone's bookmarks.
 * In production the Cacher serves watches instead and etcd carries a single watcher per server process.
 */
import type { KubeObject, WatchEvent } from "./interface.js";
import { bookmarkEvent, HistoryEntry } from "./change.js";
import { changeOf, type EtcdKeys } from "./etcd-codec.js";
import type { EtcdWatchHandle, EtcdWatchStream } from "./etcd-watch.js";
import { QueuedWatch } from "./queued-watch.js";
import type { StoreTuning } from "./tuning.js";

export interface EtcdWatchRequest {
  prefix: string;
  /** Changes after this revision are sent. */
  from: number;
  backlog?: WatchEvent[];
  predicate?: (obj: KubeObject) => boolean;
  allowBookmarks: boolean;
}

export class EtcdWatchers {
  private readonly watchers = new Set<QueuedWatch>();
  private ticker?: NodeJS.Timeout;

  constructor(
    private readonly stream: EtcdWatchStream,
    private readonly keys: EtcdKeys,
    private readonly tuning: StoreTuning,
  ) {}

  async open(req: EtcdWatchRequest): Promise<QueuedWatch> {
    let handle: EtcdWatchHandle | undefined;
    const w = new QueuedWatch({
      prefix: req.prefix,
      allowBookmarks: req.allowBookmarks,
      queueLimit: this.tuning.watchQueueLimit,
      startRevision: req.from,
      onEnd: (ended) => {
        handle?.cancel();
        this.forget(ended);
      },
      ...(req.predicate ? { predicate: req.predicate } : {}),
    });
    if (req.backlog !== undefined) w.addBacklog(req.backlog);
    const { key, end } = this.keys.range(req.prefix);
    handle = await this.stream.watch(key, end, req.from + 1, {
      events: (events) => {
        for (const ev of events) {
          const change = changeOf(ev, this.keys);
          if (change !== undefined) w.offer(new HistoryEntry(change));
        }
      },
      progress: (revision) => (w.revision = Math.max(w.revision, revision)),
      // Compacted past this watch while etcd was unreachable: the client has to re-list.
      broken: () => w.end("too-slow"),
    });
    if (w.ended) handle.cancel();
    else this.track(w);
    return w;
  }

  closeAll(): void {
    for (const w of [...this.watchers]) w.end("store-closed");
    this.stopTicker();
  }

  private track(w: QueuedWatch): void {
    this.watchers.add(w);
    if (this.ticker !== undefined) return;
    const interval = this.tuning.bookmarkIntervalMs;
    this.ticker = setInterval(() => {
      const now = Date.now();
      // A watcher's revision is its last event or etcd-confirmed progress: a safe bookmark, if not the newest.
      for (const watcher of this.watchers) {
        watcher.bookmarkIfIdle(now, interval, () => bookmarkEvent(watcher.revision));
      }
    }, Math.max(5, Math.floor(interval / 4)));
    this.ticker.unref();
  }

  private forget(w: QueuedWatch): void {
    this.watchers.delete(w);
    if (this.watchers.size === 0) this.stopTicker();
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}
