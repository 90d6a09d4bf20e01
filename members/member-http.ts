/**
 * The one HTTP transport to a member: GETs for the member views (/readyz, /version, discovery, lists), JSON
 * writes (server-side apply PATCH, DELETE) for the controllers, and streaming watches, all over keep-alive agents.
 * client-node's API clients build a new agent, so a new TLS connection, for every call; polling /readyz every few
 * seconds on thousands of members needs connections that stay open. TLS material and the Authorization header
 * come from client-node (`applyToHTTPSOptions`), so the member is reached exactly as its kubeconfig says; nothing
 * here logs or returns them.
 */
import http from "node:http";
import https from "node:https";
import type { MemberAccess } from "./kubeconfig.js";
import { MemberRequestError, MemberStatusError } from "./member-errors.js";

export { MemberRequestError, MemberStatusError } from "./member-errors.js";

/**
 * The most an answer may hold. The largest answer we read on purpose is an unpaginated Node list of a member at
 * Kubernetes' supported maximum (5,000 Nodes at ~20 KB each with their image lists, ~100 MB): 64 MiB would cut
 * such a member off. The body becomes one string, and V8 refuses strings over ~512 MiB, so that is no bound at
 * all. 256 MiB leaves the largest legitimate list room to grow while a runaway answer is cut before it alone can
 * exhaust the heap. Calls that expect little (/readyz, discovery) pass a much smaller `maxBytes`.
 */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

export interface HttpResult {
  status: number;
  body: string;
}

export interface MemberAnswer {
  status: number;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
}

/** A streaming GET (a watch): each JSON line is handed over as it arrives. */
export interface MemberStream {
  /** Settles when the stream ends: the HTTP status (0 when none came) and the error if the exchange failed. */
  readonly done: Promise<{ status: number; error?: MemberRequestError; body?: unknown }>;
  close(): void;
}

export interface MemberHttp {
  /** The member's API server URL (not secret; for messages). */
  readonly server: string;
  get(path: string, opts?: { timeoutMs?: number; maxBytes?: number }): Promise<HttpResult>;
  /** GET, 2xx required, JSON parsed. */
  getJson<T>(path: string, opts?: { timeoutMs?: number }): Promise<T>;
  /** JSON in and out, any status. Throws MemberRequestError when no answer came (refused, reset, timed out, TLS). */
  request(method: "GET" | "PATCH" | "DELETE", path: string, body?: unknown, contentType?: string): Promise<MemberAnswer>;
  /** A watch request on its own connections (a long stream must not hold a socket writes wait for). */
  stream(path: string, onLine: (line: unknown) => void, deadlineMs: number): MemberStream;
  close(): void;
}

export async function createMemberHttp(access: MemberAccess, defaults: { timeoutMs: number; maxSockets?: number }): Promise<MemberHttp> {
  const tls: https.RequestOptions = {};
  await access.kc.applyToHTTPSOptions(tls);
  const plain = access.server.startsWith("http:");
  // With a proxy, client-node's agent (built for that proxy) is the only way through; it does not keep alive.
  const newAgent = (sockets: number): http.Agent =>
    access.proxyUrl && tls.agent
      ? (tls.agent as http.Agent)
      : plain
        ? new http.Agent({ keepAlive: true, maxSockets: sockets })
        : new https.Agent({
            keepAlive: true,
            maxSockets: sockets,
            ...(tls.ca ? { ca: tls.ca } : {}),
            ...(tls.cert ? { cert: tls.cert } : {}),
            ...(tls.key ? { key: tls.key } : {}),
            ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
            ...(tls.servername ? { servername: tls.servername } : {}),
          });
  const agent = newAgent(defaults.maxSockets ?? 4);
  let watchAgent: http.Agent | undefined;
  const baseHeaders = { ...(tls.headers as Record<string, string> | undefined), accept: "application/json" };
  const lib = plain ? http : https;

  type Exchange = { method: string; body?: unknown; contentType?: string; timeoutMs?: number; maxBytes?: number };
  const exchange = (path: string, o: Exchange): Promise<HttpResult> =>
    new Promise((resolve, reject) => {
      const timeoutMs = o.timeoutMs ?? defaults.timeoutMs;
      const maxBytes = o.maxBytes ?? MAX_ANSWER_BYTES;
      const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
      const headers: Record<string, string | number> = { ...baseHeaders };
      if (payload) Object.assign(headers, { "content-type": o.contentType ?? "application/json", "content-length": payload.length });
      const req = lib.request(`${access.server}${path}`, { method: o.method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) req.destroy(new MemberRequestError(`answer to ${o.method} ${path} larger than ${maxBytes} bytes`, "ETOOBIG"));
          else chunks.push(c);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (e) => reject(toRequestError(e)));
      });
      // One deadline for the whole exchange, not per socket inactivity: a member that trickles bytes is as
      // unhealthy as a silent one.
      const timer = setTimeout(() => req.destroy(new MemberRequestError(`no answer within ${Math.round(timeoutMs / 1000)}s`, "ETIMEDOUT")), timeoutMs);
      req.on("close", () => clearTimeout(timer));
      req.on("error", (e) => reject(toRequestError(e)));
      req.end(payload);
    });

  const stream: MemberHttp["stream"] = (path, onLine, deadlineMs) => {
    watchAgent ??= newAgent(Infinity);
    let req: http.ClientRequest | undefined;
    const done = new Promise<{ status: number; error?: MemberRequestError; body?: unknown }>((resolve) => {
      req = lib.request(`${access.server}${path}`, { method: "GET", agent: watchAgent, headers: baseHeaders }, (res) => {
        const status = res.statusCode ?? 0;
        let buf = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line || status !== 200) continue;
            const parsed = parseJson(line);
            // Not JSON: the next line may be; a broken stream ends on its own.
            if (parsed !== undefined) onLine(parsed);
          }
        });
        res.on("end", () => resolve({ status, body: status !== 200 ? parseJson(buf.trim()) : undefined }));
        res.on("error", (e) => resolve({ status, error: toRequestError(e) }));
      });
      // A silently dead connection would stall drift detection forever: the stream has a whole-life deadline.
      const timer = setTimeout(() => req?.destroy(new MemberRequestError("watch deadline", "ETIMEDOUT")), deadlineMs);
      req.on("close", () => {
        clearTimeout(timer);
        resolve({ status: 0 });
      });
      req.on("error", (e) => resolve({ status: 0, error: toRequestError(e) }));
      req.end();
    });
    return { done, close: () => req?.destroy() };
  };

  return {
    server: access.server,
    get: (path, o = {}) => exchange(path, { method: "GET", ...o }),
    async getJson<T>(path: string, o?: { timeoutMs?: number }): Promise<T> {
      const res = await exchange(path, { method: "GET", ...o });
      if (res.status < 200 || res.status > 299) throw new MemberStatusError(res.status, res.body.slice(0, 2048));
      const parsed = parseJson(res.body);
      if (parsed === undefined) throw new MemberRequestError(`answer to ${path} is not JSON`, "EBADJSON");
      return parsed as T;
    },
    async request(method, path, body, contentType) {
      const res = await exchange(path, { method, body, ...(contentType ? { contentType } : {}) });
      return { status: res.status, body: parseJson(res.body) };
    },
    stream,
    close: () => {
      agent.destroy();
      watchAgent?.destroy();
    },
  };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toRequestError(e: unknown): MemberRequestError {
  if (e instanceof MemberRequestError) return e;
  const err = e as NodeJS.ErrnoException;
  return new MemberRequestError(err.message ?? String(e), err.code ?? "EUNKNOWN");
}

/** The message of a Status answer (what the member said), or the HTTP code. */
export function statusMessage(a: MemberAnswer): string {
  const b = a.body as { message?: unknown } | undefined;
  return typeof b?.message === "string" && b.message ? b.message : `HTTP ${a.status}`;
}
