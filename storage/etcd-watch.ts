/**
 * etcd watches over one gRPC stream, managed here rather than by the etcd3 package's WatchManager, because:
 *  - after a reconnect the package resumes from the response header's revision + 1, which etcd sets to its
 *    current revision even while a catching-up watcher still has events to send: a gap. We resume each watch
 *    from (last event or confirmed progress) + 1;
 *  - etcd 3.4 answers a progress request (watch_id -1) on a separate control channel that can overtake events
 *    already queued for the watcher (fixed in later etcd releases): such an answer proves nothing, so we never
 *    ask, and ignore any. Only per-watcher progress notifications (sent in order with the events, and only to
 *    watchers that are caught up) count as progress;
 *  - a watch whose start revision was compacted must surface as Expired.
 * Creates are sent one at a time: etcd does not say which create a "created" answer belongs to.
 */
import type { Etcd3, IDuplexStream, IEvent, IWatchRequest, IWatchResponse } from "etcd3";
import { errorText, ignoreStorageEvents, type StorageEventSink } from "./events.js";
import { StorageError } from "./interface.js";

export interface EtcdWatchHandler {
  /** Events of one response, in revision order. */
  events(events: IEvent[]): void;
  /** Nothing else in the watched range happened up to revision. */
  progress(revision: number): void;
  /** The watch cannot resume without a gap (compacted) or was cancelled by etcd. */
  broken(err: StorageError): void;
}

export interface EtcdWatchHandle {
  cancel(): void;
}

interface Registration {
  key: Buffer;
  end: Buffer;
  /** The revision to (re)start from: last event or progress + 1. */
  nextRevision: number;
  handler: EtcdWatchHandler;
  id?: string;
  cancelled: boolean;
  /** Settles the first creation; later (re)creations after reconnects settle nothing. */
  onCreated?: (err?: StorageError) => void;
}

type Stream = IDuplexStream<IWatchRequest, IWatchResponse>;

export class EtcdWatchStream {
  private stream?: Stream;
  private connecting = false;
  private closed = false;
  private backoffMs = 100;
  private readonly registrations = new Set<Registration>();
  private readonly byId = new Map<string, Registration>();
  private createQueue: Registration[] = [];
  private creating?: Registration;

  constructor(
    private readonly client: Etcd3,
    private readonly events: StorageEventSink = ignoreStorageEvents,
  ) {}

  /**
   * Watches [key, end) from revision `from` (inclusive) on; resolves once etcd accepted the watch, rejects with
   * Unavailable if that does not happen within timeoutMs (etcd unreachable).
   */
  watch(key: Buffer, end: Buffer, from: number, handler: EtcdWatchHandler, timeoutMs = 10_000): Promise<EtcdWatchHandle> {
    return new Promise((resolve, reject) => {
      const reg: Registration = { key, end, nextRevision: from, handler, cancelled: false };
      const timer = setTimeout(() => {
        this.cancel(reg);
        reject(new StorageError("Unavailable", "", `etcd did not accept a watch within ${timeoutMs} ms`));
      }, timeoutMs);
      reg.onCreated = (err) => {
        clearTimeout(timer);
        if (err === undefined) resolve({ cancel: () => this.cancel(reg) });
        else reject(err);
      };
      this.registrations.add(reg);
      this.createQueue.push(reg);
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    for (const reg of this.registrations) reg.onCreated?.(new StorageError("Unavailable", "", "store is closed"));
    this.registrations.clear();
    this.byId.clear();
    this.createQueue = [];
    this.stream?.cancel();
    this.stream = undefined;
  }

  private cancel(reg: Registration): void {
    if (reg.cancelled) return;
    reg.cancelled = true;
    this.registrations.delete(reg);
    this.createQueue = this.createQueue.filter((r) => r !== reg);
    if (reg.id !== undefined) {
      this.byId.delete(reg.id);
      this.stream?.write({ cancel_request: { watch_id: reg.id } });
    }
  }

  private pump(): void {
    if (this.closed) return;
    if (this.stream === undefined) {
      void this.connect();
      return;
    }
    if (this.creating !== undefined) return;
    const reg = this.createQueue.shift();
    if (reg === undefined) return;
    this.creating = reg;
    this.stream.write({
      create_request: {
        key: reg.key,
        range_end: reg.end,
        start_revision: reg.nextRevision,
        prev_kv: true,
        progress_notify: true,
      },
    });
  }

  private async connect(): Promise<void> {
    if (this.connecting || this.closed) return;
    this.connecting = true;
    try {
      const stream = await this.client.watchClient.watch();
      if (this.closed) {
        stream.cancel();
        return;
      }
      this.stream = stream;
      stream.on("data", (res) => this.onResponse(res));
      stream.on("error", (err: unknown) => this.lost(stream, err));
      stream.on("end", () => this.lost(stream));
      this.backoffMs = 100;
      this.pump();
    } catch (err) {
      this.events({ kind: "etcd-watch-connect-failed", message: `cannot open etcd's watch stream; retrying in ${this.backoffMs} ms`, error: errorText(err) });
      this.retryLater();
    } finally {
      this.connecting = false;
    }
  }

  /** The stream broke: every live watch is created again from where it got to. */
  private lost(stream: Stream, err?: unknown): void {
    if (this.stream !== stream) return;
    if (!this.closed) {
      this.events({
        kind: "etcd-watch-restart",
        message: `etcd's watch stream ended: ${this.registrations.size} watches are created again from where each got to`,
        ...(err !== undefined ? { error: errorText(err) } : {}),
      });
    }
    this.stream = undefined;
    this.creating = undefined;
    this.byId.clear();
    for (const reg of this.registrations) reg.id = undefined;
    this.createQueue = [...this.registrations];
    if (!this.closed) this.retryLater();
  }

  private retryLater(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 2_000);
    setTimeout(() => this.pump(), delay).unref();
  }

  private onResponse(res: IWatchResponse): void {
    const headerRevision = Number(res.header?.revision ?? 0);
    if (res.created) {
      const reg = this.creating;
      this.creating = undefined;
      if (reg !== undefined && !reg.cancelled) {
        if (res.canceled) this.fail(reg, res);
        else {
          reg.id = res.watch_id;
          this.byId.set(res.watch_id, reg);
          const done = reg.onCreated;
          reg.onCreated = undefined;
          done?.();
        }
      } else if (reg !== undefined && !res.canceled) {
        this.stream?.write({ cancel_request: { watch_id: res.watch_id } }); // cancelled while being created
      }
      this.pump();
      return;
    }
    if (res.watch_id === "-1") return; // a progress request's answer: unreliable on etcd 3.4 (see above)
    const reg = this.byId.get(res.watch_id);
    if (reg === undefined || reg.cancelled) return;
    if (res.canceled) {
      this.byId.delete(res.watch_id);
      this.fail(reg, res);
      return;
    }
    const last = res.events[res.events.length - 1];
    if (last === undefined) {
      this.progressed(reg, headerRevision); // a progress notification: only sent to watchers that are caught up
      return;
    }
    reg.nextRevision = Number(last.kv.mod_revision) + 1;
    reg.handler.events(res.events);
  }

  private progressed(reg: Registration, revision: number): void {
    if (revision + 1 > reg.nextRevision) reg.nextRevision = revision + 1;
    reg.handler.progress(revision);
  }

  private fail(reg: Registration, res: IWatchResponse): void {
    this.registrations.delete(reg);
    reg.cancelled = true;
    const compacted = Number(res.compact_revision ?? 0);
    const err =
      compacted > 0
        ? new StorageError("Expired", "", `etcd compacted past revision ${reg.nextRevision - 1} (now ${compacted})`)
        : new StorageError("Unavailable", "", `etcd cancelled the watch: ${res.cancel_reason ?? ""}`);
    const onCreated = reg.onCreated;
    reg.onCreated = undefined;
    if (onCreated !== undefined) onCreated(err);
    else reg.handler.broken(err);
  }
}
