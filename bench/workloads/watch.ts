/**
 * One event to N watchers through the front kube-apiserver. N watch streams on the ClusterProfile collection
 * (from the current resourceVersion: no initial events), multiplexed over HTTP/2 sessions from this process to
 * the front kube-apiserver with the admin client certificate (up to `streamsPerSession` each, as client-go
 * multiplexes, and no more than the server's SETTINGS_MAX_CONCURRENT_STREAMS). Then one object is updated (merge patch of a label) once untimed, then `events` times; each watcher's latency is
 * from just before the PATCH is sent to the arrival of the complete event line carrying that update.
 * RSS of the server processes is read before the watches open and once they are all open.
 */
import type { ClientHttp2Stream } from "node:http2";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, expectStatus, openWatch, request, WatchOpenError, type Session } from "../client.js";
import { COLLECTION, profileName } from "../fixtures.js";
import { percentile } from "../stats.js";
import type { Target } from "../targets.js";
import { settledRss, type RssSample } from "./rss.js";

export interface WatchRound {
  n: number;
  /** Time to open all N watches (headers received). */
  openMs: number;
  sessions: number;
  /** All latencies of all events, ms. */
  p50ms: number;
  p99ms: number;
  maxms: number;
  /** Per event: p50/p99. */
  perEvent: Array<{ p50ms: number; p99ms: number; delivered: number }>;
  /** Watchers that missed an event (timeout) summed over events. */
  missed: number;
  rssBefore: RssSample;
  rssOpen: RssSample;
  /** RSS delta / N of the main process, bytes. */
  perWatchBytes: number;
  /** The same for the other processes (the hub for A, etcd for B). */
  perWatchOthers: Record<string, number>;
  /** Watch opens that failed (503) and were retried. */
  openErrors: number;
  firstOpenError?: string;
}

export interface WatchOptions {
  n: number;
  events: number;
  streamsPerSession: number;
  /** How long to wait for every watcher to get one event. */
  eventTimeoutMs: number;
  /** Concurrent watch opens in flight. */
  openConcurrency: number;
  /** A tag that makes each round's label values unique. */
  tag: string;
}

const TARGET = profileName(0);

async function currentResourceVersion(s: Session): Promise<string> {
  const r = expectStatus(await request(s, { path: `${COLLECTION}?limit=1`, keepBody: true }), [200], "LIST limit=1");
  const rv = (JSON.parse(r.body!.toString("utf8")) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  if (!rv) throw new Error("LIST limit=1 returned no resourceVersion");
  return rv;
}

/**
 * Memory per watch on a fresh heap: restarts our server (a long-running heap keeps the slack of earlier LISTs
 * and watch rounds, and RSS deltas then read near zero), warms it (a LIST, one watch), then opens N watches
 * with no events and samples RSS before and after.
 */
export async function freshMemoryRound(t: Target, opts: WatchOptions): Promise<WatchRound> {
  if (!t.restartMain) throw new Error(`${t.key} cannot be restarted`);
  await t.restartMain();
  const s = await connect(t.endpoint);
  try {
    await currentResourceVersion(s);
    await request(s, { path: COLLECTION }); // whatever a first LIST loads or caches, before the baseline
    const rv = await currentResourceVersion(s);
    const w = await openWatch(s, `${COLLECTION}?watch=1&resourceVersion=${rv}&timeoutSeconds=60`, () => {});
    w.destroy();
  } finally {
    s.destroy();
  }
  await sleep(3_000);
  return watchRound(t, { ...opts, events: 0 });
}

export async function watchRound(t: Target, opts: WatchOptions): Promise<WatchRound> {
  const control = await connect(t.endpoint);
  const sessions: Session[] = [];
  const streams: ClientHttp2Stream[] = [];
  try {
    // Let the previous round's teardown settle before the "before" sample.
    await sleep(1_000);
    const rssBefore = await settledRss(t.pids);
    const rv = await currentResourceVersion(control);
    const path = `${COLLECTION}?watch=1&resourceVersion=${rv}&timeoutSeconds=1800`;

    /** Per watcher: the arrival time of the current event, or undefined. */
    const arrived: Array<number | undefined> = new Array<number | undefined>(opts.n).fill(undefined);
    let marker = Buffer.from("\u0000never");
    let delivered = 0;
    let onAll: (() => void) | undefined;
    const watcherLine = (w: number) => (line: Buffer, at: number) => {
      if (arrived[w] === undefined && line.includes(marker)) {
        arrived[w] = at;
        if (++delivered === opts.n) onAll?.();
      }
    };

    // No more streams per session than the front kube-apiserver allows (SETTINGS_MAX_CONCURRENT_STREAMS: 100 on
    // 1.37): Go's HTTP/2 transport opens another connection at that limit; node:http2 would queue the excess
    // streams, and a queued watch never opens.
    const perSession = Math.max(1, Math.min(opts.streamsPerSession, control.remoteSettings.maxConcurrentStreams ?? opts.streamsPerSession));
    const t0 = performance.now();
    const nSessions = Math.ceil(opts.n / perSession);
    for (let i = 0; i < nSessions; i++) sessions.push(await connect(t.endpoint));
    let next = 0;
    let openErrors = 0;
    let firstOpenError: string | undefined;
    // A watch the hub answers 503 is retried after a pause (counted, and reported as a problem).
    const open = async (w: number): Promise<ClientHttp2Stream> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await openWatch(sessions[w % nSessions]!, path, watcherLine(w));
        } catch (e) {
          openErrors++;
          firstOpenError ??= (e as Error).message;
          if (!(e instanceof WatchOpenError) || e.status !== 503 || attempt === 4) throw e;
          await sleep(100 * 3 ** (attempt - 1));
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(opts.openConcurrency, opts.n) }, async () => {
        for (let w = next++; w < opts.n; w = next++) streams.push(await open(w));
      }),
    );
    const openMs = performance.now() - t0;
    await sleep(1_000); // servers settle (buffers allocated, GC) before the "open" sample
    const rssOpen = await settledRss(t.pids);

    const all: number[] = [];
    const perEvent: WatchRound["perEvent"] = [];
    let missed = 0;
    // Event 0 is a warm-up, not counted: the first event after a burst of N opens meets the servers'
    // garbage collection of that burst (seen as a p99 twice the next events' on both sides).
    for (let e = opts.events > 0 ? -1 : 0; e < opts.events; e++) {
      const value = `${opts.tag}-${e < 0 ? "warmup" : e}`;
      marker = Buffer.from(`"bench-tick":"${value}"`);
      arrived.fill(undefined);
      delivered = 0;
      const done = new Promise<void>((resolve) => {
        onAll = resolve;
        setTimeout(resolve, opts.eventTimeoutMs).unref();
      });
      const body = Buffer.from(JSON.stringify({ metadata: { labels: { "bench-tick": value } } }));
      const sent = performance.now();
      const r = await request(control, { method: "PATCH", path: `${COLLECTION}/${TARGET}`, body, contentType: "application/merge-patch+json" });
      expectStatus(r, [200], "PATCH the watched object");
      await done;
      onAll = undefined;
      const lat = arrived.filter((a): a is number => a !== undefined).map((a) => a - sent);
      if (e < 0) {
        await sleep(500);
        continue;
      }
      missed += opts.n - lat.length;
      all.push(...lat);
      perEvent.push({ p50ms: percentile(lat, 50), p99ms: percentile(lat, 99), delivered: lat.length });
      await sleep(500);
    }
    const perWatch = (a: number, b: number) => (b - a) / opts.n;
    return {
      n: opts.n,
      openMs,
      sessions: nSessions,
      p50ms: percentile(all, 50),
      p99ms: percentile(all, 99),
      maxms: percentile(all, 100),
      perEvent,
      missed,
      rssBefore,
      rssOpen,
      perWatchBytes: perWatch(rssBefore.main, rssOpen.main),
      openErrors,
      ...(firstOpenError ? { firstOpenError } : {}),
      perWatchOthers: Object.fromEntries(Object.keys(rssOpen.others).map((k) => [k, perWatch(rssBefore.others[k]!, rssOpen.others[k]!)])),
    };
  } finally {
    // Destroy, not close: open watches would hold a graceful close until their timeout.
    for (const s of streams) s.destroy();
    for (const s of sessions) s.destroy();
    control.destroy();
  }
}
