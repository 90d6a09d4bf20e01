/**
 * The benchmark's client: node:http2 sessions to a kube-apiserver (the hub for A, the plain CRD apiserver for B)
 * with that cluster's admin client certificate, as kubectl and client-go reach it (HTTP/2, TLS, 127.0.0.1).
 * Bodies are prebuilt Buffers; responses are counted, not parsed, unless asked.
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream } from "node:http2";

export interface Endpoint {
  /** https://127.0.0.1:<port> */
  url: string;
  ca: string;
  cert: string;
  key: string;
  /** Sent on every request (the front proxy's X-Remote-* headers when talking to our server directly). */
  headers?: Record<string, string | string[]>;
}

/** Flow-control windows like Go's HTTP/2 client (4 MB per stream, 1 GB per connection, as client-go gets). */
const STREAM_WINDOW = 4 << 20;
const SESSION_WINDOW = 1 << 30;

export type Session = ClientHttp2Session & { benchHeaders?: Record<string, string | string[]> };

export function connect(ep: Endpoint): Promise<Session> {
  return new Promise((resolve, reject) => {
    const session: Session = http2.connect(ep.url, {
      ca: ep.ca,
      cert: ep.cert,
      key: ep.key,
      settings: { initialWindowSize: STREAM_WINDOW, enablePush: false },
    });
    const fail = (e: Error) => reject(e);
    session.once("error", fail);
    session.once("connect", () => {
      session.off("error", fail);
      session.setLocalWindowSize(SESSION_WINDOW);
      // A session error after connect ends its streams with an error; nothing else to do here.
      session.on("error", () => {});
      if (ep.headers) session.benchHeaders = ep.headers;
      resolve(session);
    });
  });
}

export function closeSession(session: ClientHttp2Session): Promise<void> {
  if (session.closed || session.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      session.destroy();
      resolve();
    }, 2_000);
    session.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface RequestSpec {
  method?: string;
  path: string;
  body?: Buffer;
  contentType?: string;
  accept?: string;
  /** Keep the whole body (otherwise only the first 4 KiB, in `head`). */
  keepBody?: boolean;
  timeoutMs?: number;
}

export interface Reply {
  status: number;
  /** The response's content-type header ("" when absent). */
  contentType: string;
  /** Response body bytes (as received: no compression is asked for). */
  bytes: number;
  /** Milliseconds from sending the request to the end of the response body. */
  ms: number;
  /** The first 4 KiB of the body: enough for a list's metadata (continue, resourceVersion) or a Status. */
  head: string;
  /** The last 4 KiB: where a list's metadata is when the server sorts keys (kube-apiserver's unstructured lists). */
  tail: string;
  body?: Buffer;
}

const HEAD_BYTES = 4096;

export function request(session: Session, spec: RequestSpec): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: http2.OutgoingHttpHeaders = {
      ...session.benchHeaders,
      ":method": spec.method ?? "GET",
      ":path": spec.path,
      accept: spec.accept ?? "application/json",
    };
    if (spec.body) {
      headers["content-type"] = spec.contentType ?? "application/json";
      headers["content-length"] = spec.body.length;
    }
    const t0 = performance.now();
    const stream = session.request(headers, { endStream: !spec.body });
    let status = 0;
    let contentType = "";
    let bytes = 0;
    const head: Buffer[] = [];
    let headLen = 0;
    const all: Buffer[] = [];
    let tail: Buffer[] = [];
    let tailLen = 0;
    stream.setTimeout(spec.timeoutMs ?? 120_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      contentType = String(h["content-type"] ?? "");
    });
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (headLen < HEAD_BYTES) {
        head.push(chunk);
        headLen += chunk.length;
      }
      if (spec.keepBody) all.push(chunk);
      tail.push(chunk);
      tailLen += chunk.length;
      if (tail.length > 1 && tailLen - tail[0]!.length >= HEAD_BYTES) {
        tailLen -= tail[0]!.length;
        tail = tail.slice(1);
      }
    });
    stream.on("end", () => {
      const ms = performance.now() - t0;
      resolve({
        status,
        contentType,
        bytes,
        ms,
        head: Buffer.concat(head).subarray(0, HEAD_BYTES).toString("utf8"),
        tail: Buffer.concat(tail).subarray(-HEAD_BYTES).toString("utf8"),
        ...(spec.keepBody ? { body: Buffer.concat(all) } : {}),
      });
    });
    stream.on("error", reject);
    stream.on("close", () => {
      if (stream.rstCode && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) {
        reject(new Error(`${spec.method ?? "GET"} ${spec.path}: stream reset (code ${stream.rstCode}) after ${(performance.now() - t0).toFixed(0)} ms`));
      }
    });
    if (spec.body) stream.end(spec.body);
  });
}

/** Throws with the server's message unless the status is one of `ok`. */
export function expectStatus(reply: Reply, ok: number[], what: string): Reply {
  if (!ok.includes(reply.status)) throw new Error(`${what}: HTTP ${reply.status}: ${reply.head.slice(0, 600)}`);
  return reply;
}

export class WatchOpenError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A watch stream: resolves once the response headers arrive (200), then calls `onLine` with the arrival time
 * of each complete event line (one JSON event per line on both servers).
 */
export function openWatch(
  session: Session,
  path: string,
  onLine: (line: Buffer, at: number) => void,
  timeoutMs = 60_000,
): Promise<ClientHttp2Stream> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ...session.benchHeaders, ":method": "GET", ":path": path, accept: "application/json" }, { endStream: true });
    let pending: Buffer | undefined;
    let opened = false;
    const timer = setTimeout(() => {
      if (!opened) {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new Error(`watch ${path}: no response headers in ${timeoutMs} ms`));
      }
    }, timeoutMs);
    let status = 0;
    let errorBody = "";
    stream.on("response", (h) => {
      opened = true;
      clearTimeout(timer);
      status = Number(h[":status"]);
      if (status === 200) resolve(stream);
      else stream.on("close", () => reject(new WatchOpenError(status, `watch ${path}: HTTP ${status}: ${errorBody.slice(0, 300).trim()}`)));
    });
    stream.on("data", (chunk: Buffer) => {
      if (status !== 200) {
        errorBody += chunk.toString("utf8");
        return;
      }
      const at = performance.now();
      let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      let nl = buf.indexOf(10);
      while (nl >= 0) {
        onLine(buf.subarray(0, nl), at);
        buf = buf.subarray(nl + 1);
        nl = buf.indexOf(10);
      }
      pending = buf.length ? Buffer.from(buf) : undefined;
    });
    stream.on("error", (e) => {
      clearTimeout(timer);
      if (!opened || status !== 200) reject(e);
    });
  });
}
