/**
 * One watcher: the `Watch` handed to callers. It holds
 *  - a backlog (initial ADDED events, replayed history, the watch-list end marker): known in full when the watch
 *    starts, referenced not copied, and not bounded (it can only be as large as the state or the window);
 *  - a bounded live queue. Overflow ends the watch ("too-slow") and drops the queue at once, so a stalled client
 *    costs nothing more and never slows the fan-out to others.
 * Events are the shared WatchEvent objects; a watcher costs a few hundred bytes plus pointers.
 */
import type { KubeObject, Watch, WatchEvent } from "./interface.js";
import type { HistoryEntry } from "./change.js";

type EndReason = NonNullable<Watch["endReason"]>;
type Waiter = (events: WatchEvent[] | null) => void;

export interface QueuedWatchOptions {
  prefix: string;
  predicate?: (obj: KubeObject) => boolean;
  allowBookmarks: boolean;
  queueLimit: number;
  /** Revision the watch starts after: nothing at or below it is sent live. */
  startRevision: number;
  /** Called once when the watch ends, whatever the reason (the owner stops feeding it). */
  onEnd?: (w: QueuedWatch) => void;
}

/** Backlog events handed out per next() call, so one huge initial list goes out in writable chunks. */
const backlogChunk = 500;

export class QueuedWatch implements Watch {
  readonly prefix: string;
  readonly predicate?: (obj: KubeObject) => boolean;
  readonly allowBookmarks: boolean;
  endReason?: EndReason;
  /** Revision of the newest event queued (or the start revision): bookmarks never go below it. */
  revision: number;
  /**
   * Live changes at or below this revision were already covered (by the start point, the initial state or the
   * replay) and are skipped. Set once at setup: all changes of one revision arrive in one publish.
   */
  floor: number;
  /** When something was last queued or handed out; bookmarks go to watchers idle for a while. */
  lastActivity = Date.now();

  private readonly queueLimit: number;
  private readonly onEnd?: (w: QueuedWatch) => void;
  private backlog: WatchEvent[] = [];
  private backlogPos = 0;
  private queue: WatchEvent[] = [];
  private waiter?: Waiter;
  private pending?: Promise<WatchEvent[] | null>;
  private wakeScheduled = false;

  constructor(opts: QueuedWatchOptions) {
    this.prefix = opts.prefix;
    if (opts.predicate !== undefined) this.predicate = opts.predicate;
    this.allowBookmarks = opts.allowBookmarks;
    this.queueLimit = Math.max(1, opts.queueLimit);
    this.revision = opts.startRevision;
    this.floor = opts.startRevision;
    if (opts.onEnd !== undefined) this.onEnd = opts.onEnd;
  }

  get ended(): boolean {
    return this.endReason !== undefined;
  }

  /** Events waiting in the live queue (bounded by the queue limit). */
  get queueLength(): number {
    return this.queue.length;
  }

  /** Adds events to send before anything live. Only while the watch is being set up. */
  addBacklog(events: readonly WatchEvent[]): void {
    for (const ev of events) this.backlog.push(ev);
    const last = events[events.length - 1];
    if (last !== undefined && last.revision > this.revision) this.revision = last.revision;
  }

  /** A change from the owner: filtered by the predicate, then queued. */
  offer(entry: HistoryEntry): void {
    if (this.ended || entry.revision <= this.floor) return;
    let ev: WatchEvent | undefined;
    try {
      ev = entry.eventFor(this.predicate);
    } catch {
      ev = undefined; // a throwing predicate means "does not match"; it must not break the fan-out
    }
    if (entry.revision > this.revision) this.revision = entry.revision;
    if (ev !== undefined) this.push(ev);
  }

  push(ev: WatchEvent): void {
    if (this.ended) return;
    if (this.queue.length >= this.queueLimit) {
      this.end("too-slow");
      return;
    }
    this.queue.push(ev);
    if (ev.revision > this.revision) this.revision = ev.revision;
    this.lastActivity = Date.now();
    this.wake();
  }

  /** Queues a bookmark if this watcher wants them and has been idle for intervalMs with nothing waiting. */
  bookmarkIfIdle(now: number, intervalMs: number, makeBookmark: () => WatchEvent): void {
    if (!this.allowBookmarks || this.ended || this.queue.length > 0 || this.backlogPos < this.backlog.length) return;
    if (now - this.lastActivity < intervalMs) return;
    const ev = makeBookmark();
    if (ev.revision < this.revision) return;
    this.push(ev);
  }

  next(): Promise<WatchEvent[] | null> {
    if (this.pending !== undefined) return this.pending;
    const ready = this.take();
    if (ready !== undefined) return Promise.resolve(ready);
    this.pending = new Promise<WatchEvent[] | null>((resolve) => {
      this.waiter = resolve;
    });
    return this.pending;
  }

  close(): void {
    this.end("closed");
  }

  end(reason: EndReason): void {
    if (this.ended) return;
    this.endReason = reason;
    this.queue = [];
    this.backlog = [];
    this.backlogPos = 0;
    this.onEnd?.(this);
    this.resolveWaiter(null);
  }

  /** Whatever is ready now: the next backlog chunk, else the whole live queue; null once ended. */
  private take(): WatchEvent[] | null | undefined {
    if (this.ended) return null;
    if (this.backlogPos < this.backlog.length) {
      const chunk = this.backlog.slice(this.backlogPos, this.backlogPos + backlogChunk);
      this.backlogPos += chunk.length;
      if (this.backlogPos >= this.backlog.length) {
        this.backlog = [];
        this.backlogPos = 0;
      }
      this.lastActivity = Date.now();
      return chunk;
    }
    if (this.queue.length > 0) {
      const events = this.queue;
      this.queue = [];
      this.lastActivity = Date.now();
      return events;
    }
    return undefined;
  }

  /** Wakes a waiting next() on a microtask, so events published together leave together. */
  private wake(): void {
    if (this.waiter === undefined || this.wakeScheduled) return;
    this.wakeScheduled = true;
    queueMicrotask(() => {
      this.wakeScheduled = false;
      if (this.waiter === undefined) return;
      const ready = this.take();
      if (ready !== undefined) this.resolveWaiter(ready);
    });
  }

  private resolveWaiter(events: WatchEvent[] | null): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    this.pending = undefined;
    waiter?.(events);
  }
}
