/**
 * The floor: a bare Node HTTP/2 server (node:http2 secure server, HTTP/1.1 allowed on the same port) with no
 * logic, handing out bytes captured from our server (A) by bench/run.ts. It takes the harness's `serve` flags
 * (the same command line as our server, see test/harness/our-server.ts) and is registered on its own hub with
 * an APIService, so the bench reaches it exactly as it reaches A. Compiled by bench/build.ts (buildFloor) and
 * run as `node floor-server.js serve …`: no tsx loader in the process.
 *
 * It answers:
 *  - /readyz, /healthz, /livez: ok;
 *  - /apis/multicluster.x-k8s.io/v1alpha1: a discovery document listing no resources (as the harness's stub
 *    server does: the hub's controllers then leave the floor alone; the aggregator proxies the group-version
 *    path whatever discovery says);
 *  - GET on the bench collection: the captured LIST bodies (plain, resourceVersion=0, Table, limit=1, and each
 *    page of the paged walk keyed by A's own continue token); before any capture, an empty list;
 *  - GET …?watch=1: 200, headers at once, the stream kept open;
 *  - PATCH/PUT/POST on the collection or an object in it: 200 with A's captured object, then one event line —
 *    A's captured MODIFIED event with the `bench-tick` label value of the request put in — written to every
 *    open watch stream, one `write` per stream, the same Buffer for all;
 *  - POST /_floor/load (on the floor directly, not through the hub): (re)loads the capture from
 *    `<--data-dir>/manifest.json`.
 * No authentication or authorization: the hub in front has done both (the floor trusts its TLS connection).
 */
import { existsSync, readFileSync } from "node:fs";
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";

/** What bench/run.ts writes into the floor's data directory: file names relative to it. */
export interface FloorManifest {
  /** The collection path, e.g. /apis/multicluster.x-k8s.io/v1alpha1/namespaces/bench/clusterprofiles. */
  collection: string;
  full: FloorFile;
  rv0: FloorFile;
  table: FloorFile;
  limit1: FloorFile;
  /** The paged walk's page size, and each page by the continue token that asks for it ("" for the first). */
  pageLimit: number;
  pages: Record<string, FloorFile>;
  /** The PATCH reply body (the object as A returned it in the captured event). */
  object: FloorFile;
  /** A's event line (with its trailing newline) and the label value in it that each trigger replaces. */
  event: FloorFile;
  eventMarker: string;
}

export interface FloorFile {
  file: string;
  contentType: string;
}

const flags = new Map<string, string>();
for (const arg of process.argv.slice(2)) {
  const m = /^--([^=]+)=(.*)$/.exec(arg);
  if (m) flags.set(m[1]!, m[2]!);
}
const need = (name: string): string => {
  const v = flags.get(name);
  if (!v) {
    console.error(`floor-server: --${name} is required`);
    process.exit(2);
  }
  return v;
};
const dataDir = need("data-dir");

interface Body {
  buf: Buffer;
  contentType: string;
}
const json = (s: string): Body => ({ buf: Buffer.from(s), contentType: "application/json" });

const OK = { buf: Buffer.from("ok"), contentType: "text/plain; charset=utf-8" };
const DISCOVERY = json(JSON.stringify({ kind: "APIResourceList", apiVersion: "v1", groupVersion: "multicluster.x-k8s.io/v1alpha1", resources: [] }));
const NOT_FOUND = json(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "NotFound", code: 404 }));
const GONE = json(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "Expired", message: "unknown continue token", code: 410 }));
const EMPTY = json(JSON.stringify({ kind: "ClusterProfileList", apiVersion: "multicluster.x-k8s.io/v1alpha1", metadata: { resourceVersion: "1" }, items: [] }));
const GROUP_VERSION = "/apis/multicluster.x-k8s.io/v1alpha1";

interface Loaded {
  collection: string;
  full: Body;
  rv0: Body;
  table: Body;
  limit1: Body;
  pageLimit: string;
  pages: Map<string, Body>;
  object: Body;
  /** The event line split at the marker: parts.join(value) is the line for that value. */
  eventParts: string[];
}

let loaded: Loaded | undefined;

function load(): string {
  const manifestPath = path.join(dataDir, "manifest.json");
  const m = JSON.parse(readFileSync(manifestPath, "utf8")) as FloorManifest;
  const read = (f: FloorFile): Body => ({ buf: readFileSync(path.join(dataDir, f.file)), contentType: f.contentType });
  const event = read(m.event).buf.toString("utf8");
  const eventParts = event.split(m.eventMarker);
  if (eventParts.length < 2) throw new Error(`the event line does not contain its marker ${JSON.stringify(m.eventMarker)}`);
  loaded = {
    collection: m.collection,
    full: read(m.full),
    rv0: read(m.rv0),
    table: read(m.table),
    limit1: read(m.limit1),
    pageLimit: String(m.pageLimit),
    pages: new Map(Object.entries(m.pages).map(([token, f]) => [token, read(f)])),
    object: read(m.object),
    eventParts,
  };
  const bytes = [loaded.full, loaded.rv0, loaded.table, loaded.limit1, loaded.object, ...loaded.pages.values()].reduce((n, b) => n + b.buf.length, 0);
  return `loaded ${m.collection}: ${loaded.pages.size} pages, ${(bytes / 1e6).toFixed(1)} MB in all`;
}
if (existsSync(path.join(dataDir, "manifest.json"))) console.log(load());

/** Anything with write(): an HTTP/2 stream or an HTTP/1.1 response. */
interface Writer {
  write(b: Buffer): boolean;
}
const watchers = new Set<Writer>();

/** The event line for one trigger's label value: built once, written to every watcher. */
function broadcast(requestBody: Buffer): void {
  if (!loaded) return;
  let value = "floor";
  try {
    const v = (JSON.parse(requestBody.toString("utf8")) as { metadata?: { labels?: Record<string, unknown> } }).metadata?.labels?.["bench-tick"];
    if (typeof v === "string") value = v;
  } catch {
    /* not JSON: the default value */
  }
  const line = Buffer.from(loaded.eventParts.join(JSON.stringify(value).slice(1, -1)));
  for (const w of watchers) w.write(line);
}

type Answer = { status: number; body: Body } | { watch: true } | { trigger: true } | { load: true };

const isTrue = (v: string | null) => v !== null && v !== "false" && v !== "0";

/** The whole routing: a handful of string comparisons. */
function route(method: string, url: string, accept: string | undefined): Answer {
  const q = url.indexOf("?");
  const p = q < 0 ? url : url.slice(0, q);
  if (p === "/readyz" || p === "/healthz" || p === "/livez") return { status: 200, body: OK };
  if (p === GROUP_VERSION) return { status: 200, body: DISCOVERY };
  if (p === "/_floor/load" && method === "POST") return { load: true };
  const l = loaded;
  if (l && p.startsWith(l.collection) && (p.length === l.collection.length || p[l.collection.length] === "/")) {
    if (method !== "GET") return { trigger: true };
    if (p.length !== l.collection.length) return { status: 200, body: l.object };
    const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
    if (isTrue(query.get("watch"))) return { watch: true };
    const token = query.get("continue");
    if (token !== null) {
      const page = l.pages.get(token);
      return page ? { status: 200, body: page } : { status: 410, body: GONE };
    }
    const limit = query.get("limit");
    if (limit === "1") return { status: 200, body: l.limit1 };
    if (limit === l.pageLimit) return { status: 200, body: l.pages.get("")! };
    if (accept?.includes("as=Table")) return { status: 200, body: l.table };
    if (query.get("resourceVersion") === "0") return { status: 200, body: l.rv0 };
    return { status: 200, body: l.full };
  }
  // Before a capture is loaded, the bench's readiness check (a LIST with limit=1) gets an empty list.
  if (!l && method === "GET" && /\/clusterprofiles$/.test(p)) {
    const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
    if (isTrue(query.get("watch"))) return { watch: true };
    return { status: 200, body: EMPTY };
  }
  return { status: 404, body: NOT_FOUND };
}

function readBody(src: NodeJS.ReadableStream, done: (b: Buffer) => void): void {
  const chunks: Buffer[] = [];
  src.on("data", (c: Buffer) => chunks.push(c));
  src.on("end", () => done(Buffer.concat(chunks)));
}

function onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  stream.on("error", () => {});
  const a = route(String(headers[":method"]), String(headers[":path"]), headers.accept);
  if ("body" in a) {
    stream.respond({ ":status": a.status, "content-type": a.body.contentType, "content-length": a.body.buf.length });
    stream.end(a.body.buf);
  } else if ("watch" in a) {
    stream.respond({ ":status": 200, "content-type": "application/json", "cache-control": "no-cache, private" });
    watchers.add(stream);
    stream.on("close", () => watchers.delete(stream));
  } else {
    readBody(stream, (body) => {
      const reply = answerAdmin(a, body);
      stream.respond({ ":status": reply.status, "content-type": reply.body.contentType, "content-length": reply.body.buf.length });
      stream.end(reply.body.buf);
      if ("trigger" in a) broadcast(body);
    });
  }
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const a = route(req.method ?? "GET", req.url ?? "/", req.headers.accept);
  if ("body" in a) {
    res.writeHead(a.status, { "content-type": a.body.contentType, "content-length": a.body.buf.length }).end(a.body.buf);
  } else if ("watch" in a) {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache, private" });
    res.flushHeaders();
    watchers.add(res);
    res.on("close", () => watchers.delete(res));
  } else {
    readBody(req, (body) => {
      const reply = answerAdmin(a, body);
      res.writeHead(reply.status, { "content-type": reply.body.contentType, "content-length": reply.body.buf.length }).end(reply.body.buf);
      if ("trigger" in a) broadcast(body);
    });
  }
}

function answerAdmin(a: { trigger: true } | { load: true }, _body: Buffer): { status: number; body: Body } {
  if ("trigger" in a) return { status: 200, body: loaded!.object };
  try {
    const msg = load();
    console.log(msg);
    return { status: 200, body: json(JSON.stringify({ ok: true, message: msg })) };
  } catch (e) {
    console.error(`load failed: ${(e as Error).message}`);
    return { status: 500, body: json(JSON.stringify({ ok: false, message: (e as Error).message })) };
  }
}

const server = http2.createSecureServer({
  cert: readFileSync(need("tls-cert-file")),
  key: readFileSync(need("tls-private-key-file")),
  allowHTTP1: true,
  // As many concurrent streams per session as the hub's aggregator cares to open (Go's default client side
  // caps itself at what the server advertises).
  settings: { maxConcurrentStreams: 1 << 20 },
});
server.on("stream", onStream);
// HTTP/1.1 connections (health checks, curl) arrive as 'request'. Adding a 'request' listener would also make
// node:http2 wrap every HTTP/2 stream in its compatibility objects (it hooks 'newListener' to do so): drop that
// hook first, so HTTP/2 streams reach onStream only.
server.removeAllListeners("newListener");
server.on("request", onRequest);
server.on("sessionError", () => {});
server.listen(Number(need("secure-port")), flags.get("bind-address") ?? "127.0.0.1", () => console.log(`floor-server listening on ${need("secure-port")}`));
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    for (const w of watchers) (w as { end?: () => void }).end?.();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  });
}
