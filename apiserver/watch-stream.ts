/**
 * A watch response: 200, then one JSON event per line, flushed as it comes. Works the same over HTTP/1.1 chunks
 * and HTTP/2 streams (the compat API). Each event is encoded once per form and shared by every watcher; a batch
 * of events goes out in one write, and a client that stops reading holds its own stream only: the storage layer
 * ends a watcher whose queue overflows, and we then end its response as kube-apiserver ends a watcher its cache
 * dropped: cleanly, after what is already written. A client that reads again gets those events, the end of the
 * stream, and resumes from its last resourceVersion (410 Expired if the history has moved past it: it re-lists).
 */
import type { ServerResponse } from "node:http";
import type { Http2ServerResponse } from "node:http2";
import type { StatusError, Watch, WatchEvent } from "../resources/rest.js";

export type Response = ServerResponse | Http2ServerResponse;

/** Encodes one event as a line; `key` names the form so the bytes are cached on the shared event. */
export function encodeEvent(ev: WatchEvent, key: string, transform: (ev: WatchEvent) => unknown, stringify: (o: never) => string = JSON.stringify): Buffer {
  let buf = ev.encoded.get(key);
  if (!buf) {
    buf = Buffer.from(`{"type":"${ev.type}","object":${stringify(transform(ev) as never)}}\n`);
    ev.encoded.set(key, buf);
  }
  return buf;
}

export const errorEventLine = (err: StatusError): Buffer =>
  Buffer.from(`{"type":"ERROR","object":${JSON.stringify(err.status)}}\n`);

export interface WatchServeOptions {
  timeoutSeconds: number;
  headers: Record<string, string>;
  encode: (ev: WatchEvent) => Buffer;
  onEnd?: (reason: string) => void;
  /** How long a watch ended as too slow may take to deliver what was already written before it is cut. */
  tooSlowGraceMs?: number;
}

/**
 * A client stalled this long after its watch was ended as too slow is cut (stream reset): it then holds nothing of
 * ours. kube-apiserver waits as long as the connection lives; a minute covers a paused or briefly stuck client.
 */
export const TOO_SLOW_GRACE_MS = 60_000;

/** How to end each open watch, for a graceful shutdown. */
const openWatches = new Set<(why: string) => void>();

/**
 * Ends every open watch cleanly (end of stream, not a reset), as kube-apiserver does on shutdown: a client sees
 * its watch close, not fail, and resumes from its last resourceVersion (and re-lists on a 410 if that is gone).
 */
export function endAllWatches(reason = "shutdown"): void {
  for (const end of [...openWatches]) end(reason);
}

export async function serveWatch(res: Response, watch: Watch, opts: WatchServeOptions): Promise<void> {
  let ended = false;
  let reason = "timeout";
  const end = (why: string) => {
    if (ended) return;
    ended = true;
    reason = why;
    openWatches.delete(end);
    watch.close();
  };
  openWatches.add(end);
  const timer = setTimeout(() => end("timeout"), opts.timeoutSeconds * 1000);
  timer.unref();
  res.on("close", () => end("client-closed"));
  res.writeHead(200, { ...opts.headers, "content-type": "application/json" });
  // Headers go out at once: clients (client-go's reflector) wait for them before counting the watch as open.
  (res as ServerResponse).flushHeaders?.();
  try {
    while (!ended) {
      const batch = await watch.next();
      if (batch === null) {
        end(watch.endReason ?? "closed");
        break;
      }
      if (ended || batch.length === 0) continue;
      const buf = batch.length === 1 ? opts.encode(batch[0]!) : Buffer.concat(batch.map(opts.encode));
      if (!(res as ServerResponse).write(buf)) await drained(res, watch);
    }
  } finally {
    clearTimeout(timer);
    // End cleanly, also when too slow: a reset would reach client-go as a server error (a logged warning and a
    // full re-list) where kube-apiserver's clean end lets it resume. Storage has dropped this watcher's queue;
    // only what is already written waits for the client, and a client that never takes it is cut after a grace.
    if (!res.writableEnded && !res.destroyed) res.end();
    if (reason === "too-slow" && !res.destroyed) {
      const cut = setTimeout(() => res.destroy(), opts.tooSlowGraceMs ?? TOO_SLOW_GRACE_MS);
      cut.unref();
      res.once("close", () => clearTimeout(cut));
    }
    opts.onEnd?.(reason);
  }
}

/** Resolves when the client has taken what is buffered, has gone, or storage has ended the watch meanwhile. */
function drained(res: Response, watch: Watch): Promise<void> {
  return new Promise((resolve) => {
    const check = setInterval(() => watch.endReason !== undefined && done(), 250);
    const done = () => {
      clearInterval(check);
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
