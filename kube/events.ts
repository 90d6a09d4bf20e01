/**
 * Events on the hub (events.k8s.io/v1) about our objects, recorded as client-go's events.k8s.io recorder
 * (tools/events) records them, so `kubectl describe` shows them and a flapping member cannot flood the hub:
 * - events with the same type, reason, action, reporter and regarding object are one series: the first is
 *   created, the second patches `series` (count 2), later ones only count, and the count reaches the hub when the
 *   series is refreshed (every 30 minutes) or finished (6 minutes without a repeat);
 * - writing never blocks the caller: a bounded queue, sent one at a time; a hub that does not answer gets up to
 *   12 tries 10 s (±25%) apart; an event the hub refuses is dropped.
 */
import { hostname } from "node:os";
import * as k8s from "@kubernetes/client-node";
import type { Logger } from "pino";

export interface EventRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

export type EventType = "Normal" | "Warning";

export interface HubEvent {
  apiVersion: "events.k8s.io/v1";
  kind: "Event";
  metadata: { name: string; namespace: string };
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  regarding: EventRef;
  note: string;
  type: EventType;
  series?: { count: number; lastObservedTime: string };
}

/** Where events go. Errors carry `code` (an HTTP status) when the hub answered. */
export interface EventSink {
  create(event: HubEvent): Promise<void>;
  patchSeries(event: HubEvent): Promise<void>;
}

export interface RecorderOptions {
  sink: EventSink;
  log: Logger;
  controller?: string;
  now?: () => Date;
  retryMs?: number;
  maxQueue?: number;
}

export interface EventRecorder {
  record(regarding: EventRef, type: EventType, reason: string, action: string, note: string): void;
  /** Sends series counts that are due (finished or to refresh); the timers call it, tests may too. */
  maintain(): void;
  /** Resolves when nothing is queued (tests). */
  idle(): Promise<void>;
  stop(): void;
}

export const FINISH_MS = 6 * 60_000;
export const REFRESH_MS = 30 * 60_000;
const MAX_TRIES = 12;
const NOTE_MAX = 1024; // events.k8s.io/v1 validation: note at most 1 kB

/** RFC 3339 with microseconds (metav1.MicroTime). */
const microTime = (d: Date) => d.toISOString().replace(/Z$/, "000Z");

export function createEventRecorder(opts: RecorderOptions): EventRecorder {
  const controller = opts.controller ?? "clusterset-apiserver";
  const instance = `${controller}-${hostname()}`;
  const now = opts.now ?? (() => new Date());
  const retryMs = opts.retryMs ?? 10_000;
  const maxQueue = opts.maxQueue ?? 1000;
  const cache = new Map<string, { event: HubEvent; refreshedAt: number }>();
  const queue: HubEvent[] = [];
  let sending: Promise<void> | undefined;
  let stopped = false;
  let dropped = 0;
  let seq = 0;

  const send = (e: HubEvent) => {
    if (stopped) return;
    if (queue.length >= maxQueue) {
      if (dropped++ === 0) opts.log.warn({ maxQueue }, "hub events: queue full (is the hub answering?); dropping events until it drains");
      return;
    }
    queue.push(structuredClone(e));
    sending ??= drain().finally(() => (sending = undefined));
  };

  async function drain(): Promise<void> {
    while (queue.length && !stopped) {
      const e = queue.shift()!;
      for (let tries = 1; !stopped; tries++) {
        const retry = await attempt(e);
        if (!retry) break;
        if (tries >= MAX_TRIES) {
          opts.log.warn({ reason: e.reason, regarding: `${e.regarding.namespace}/${e.regarding.name}` }, "hub events: cannot write an event after 12 tries; dropping it");
          break;
        }
        await new Promise((r) => setTimeout(r, retryMs * (0.75 + Math.random() * 0.5)).unref());
      }
      if (queue.length === 0 && dropped) {
        opts.log.info({ dropped }, "hub events: queue drained");
        dropped = 0;
      }
    }
  }

  /** One write; true when it should be tried again (the hub did not answer, or a series raced its create). */
  async function attempt(e: HubEvent): Promise<boolean> {
    try {
      if (e.series) {
        // A series patches the event it continues; if that event is gone, it is created again below.
        try {
          await opts.sink.patchSeries(e);
          return false;
        } catch (err) {
          if (code(err) !== 404) throw err;
        }
      }
      await opts.sink.create(e);
      return false;
    } catch (err) {
      const status = code(err);
      if (status === 409 && e.series) return true;
      if (status !== undefined && status < 500 && status !== 429) {
        opts.log.warn({ reason: e.reason, status, err: String(err) }, "hub events: the hub refused an event; dropping it");
        return false;
      }
      return true;
    }
  }

  const timers = [setInterval(() => maintain(), FINISH_MS).unref()];

  function maintain(): void {
    const t = now().getTime();
    for (const [key, c] of cache) {
      const s = c.event.series;
      if (!s) {
        if (t - Date.parse(c.event.eventTime) > FINISH_MS) cache.delete(key);
      } else if (t - Date.parse(s.lastObservedTime) > FINISH_MS) {
        send(c.event); // the series' final count
        cache.delete(key);
      } else if (t - c.refreshedAt > REFRESH_MS) {
        send(c.event);
        c.refreshedAt = t;
      }
    }
  }

  return {
    record(regarding, type, reason, action, note) {
      if (stopped) return;
      const at = now();
      const key = JSON.stringify([type, action, reason, regarding.apiVersion, regarding.kind, regarding.namespace, regarding.name, regarding.uid]);
      const held = cache.get(key);
      if (held?.event.series) {
        held.event.series = { count: held.event.series.count + 1, lastObservedTime: microTime(at) };
        return;
      }
      if (held) {
        held.event.series = { count: 2, lastObservedTime: microTime(at) };
        held.refreshedAt = at.getTime();
        return send(held.event);
      }
      // client-go's name: the object's name and the time in hex nanoseconds (made unique within a millisecond).
      const nanos = BigInt(at.getTime()) * 1_000_000n + BigInt(seq++ % 1_000_000);
      const event: HubEvent = {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name: `${regarding.name}.${nanos.toString(16)}`, namespace: regarding.namespace || "default" },
        eventTime: microTime(at),
        reportingController: controller,
        reportingInstance: instance,
        action,
        reason,
        regarding,
        note: note.length > NOTE_MAX ? `${note.slice(0, NOTE_MAX - 3)}...` : note,
        type,
      };
      cache.set(key, { event, refreshedAt: at.getTime() });
      send(event);
    },
    maintain,
    async idle() {
      while (sending) await sending;
    },
    stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      queue.length = 0;
    },
  };
}

function code(err: unknown): number | undefined {
  const c = (err as { code?: unknown }).code;
  return typeof c === "number" ? c : undefined;
}

/** The hub's events.k8s.io/v1 API as an EventSink (a series is a strategic merge patch of `series`). */
export function hubEventSink(kc: k8s.KubeConfig): EventSink {
  const api = kc.makeApiClient(k8s.EventsV1Api);
  const smp = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch);
  return {
    async create(e) {
      await api.createNamespacedEvent({ namespace: e.metadata.namespace, body: e as unknown as k8s.EventsV1Event });
    },
    async patchSeries(e) {
      await api.patchNamespacedEvent({ namespace: e.metadata.namespace, name: e.metadata.name, body: { series: e.series } }, smp);
    },
  };
}
