/**
 * Plain GETs to one member (/readyz, /version, discovery, lists) over one keep-alive agent. client-node's API
 * clients build a new agent, so a new TLS connection, for every call; polling /readyz every few seconds on
 * thousands of members needs connections that stay open. TLS material and the Authorization header come from
 * client-node (`applyToHTTPSOptions`), so the member is reached exactly as its kubeconfig says.
 */
import http from "node:http";
import https from "node:https";
import type { MemberAccess } from "./kubeconfig.js";

export interface HttpResult {
  status: number;
  body: string;
}

/** A failed HTTP exchange (no answer): `code` is Node's (ECONNREFUSED, CERT_HAS_EXPIRED, …) or "ETIMEDOUT". */
export class MemberRequestError extends Error {
  override name = "MemberRequestError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A non-2xx answer, shaped as client-node's ListWatch expects (`statusCode`, 410 → relist). */
export class MemberStatusError extends Error {
  override name = "MemberStatusError";
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(`HTTP ${statusCode}`);
  }
}

export interface MemberHttp {
  get(path: string, opts?: { timeoutMs?: number; maxBytes?: number }): Promise<HttpResult>;
  /** GET, 2xx required, JSON parsed. */
  getJson<T>(path: string, opts?: { timeoutMs?: number }): Promise<T>;
  close(): void;
}

export async function createMemberHttp(access: MemberAccess, defaults: { timeoutMs: number }): Promise<MemberHttp> {
  const opts: https.RequestOptions = {};
  await access.kc.applyToHTTPSOptions(opts);
  const plain = access.server.startsWith("http:");
  // With a proxy, client-node's agent (built for that proxy) is the only way through; it does not keep alive.
  const agent: http.Agent =
    access.proxyUrl && opts.agent
      ? (opts.agent as http.Agent)
      : plain
        ? new http.Agent({ keepAlive: true, maxSockets: 4 })
        : new https.Agent({
            keepAlive: true,
            maxSockets: 4,
            ...(opts.ca ? { ca: opts.ca } : {}),
            ...(opts.cert ? { cert: opts.cert } : {}),
            ...(opts.key ? { key: opts.key } : {}),
            ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
            ...(opts.servername ? { servername: opts.servername } : {}),
          });
  const headers = { ...(opts.headers as Record<string, string> | undefined), accept: "application/json" };
  const lib = plain ? http : https;

  const get = (path: string, o: { timeoutMs?: number; maxBytes?: number } = {}): Promise<HttpResult> =>
    new Promise((resolve, reject) => {
      const timeoutMs = o.timeoutMs ?? defaults.timeoutMs;
      const maxBytes = o.maxBytes ?? 512 * 1024 * 1024;
      const req = lib.request(`${access.server}${path}`, { method: "GET", agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) req.destroy(new MemberRequestError(`answer to ${path} larger than ${maxBytes} bytes`, "ETOOBIG"));
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
      req.end();
    });

  return {
    get,
    async getJson<T>(path: string, o?: { timeoutMs?: number }): Promise<T> {
      const res = await get(path, o);
      if (res.status < 200 || res.status > 299) throw new MemberStatusError(res.status, res.body.slice(0, 2048));
      try {
        return JSON.parse(res.body) as T;
      } catch {
        throw new MemberRequestError(`answer to ${path} is not JSON`, "EBADJSON");
      }
    },
    close: () => agent.destroy(),
  };
}

function toRequestError(e: unknown): MemberRequestError {
  if (e instanceof MemberRequestError) return e;
  const err = e as NodeJS.ErrnoException;
  return new MemberRequestError(err.message ?? String(e), err.code ?? "EUNKNOWN");
}
