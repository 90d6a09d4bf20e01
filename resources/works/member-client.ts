/**
 * Writes and reads to one member for the dispatcher: GET, server-side apply PATCH and DELETE over one
 * keep-alive agent (members/member-http.ts only reads). TLS material and the Authorization header come from
 * client-node, so the member is reached exactly as its kubeconfig says; nothing here logs or returns them.
 */
import http from "node:http";
import https from "node:https";
import type { MemberAccess } from "../../members/kubeconfig.js";
import { MemberRequestError } from "../../members/member-http.js";

export interface MemberAnswer {
  status: number;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
}

export interface MemberClient {
  /** The member's API server URL (not secret; for messages). */
  readonly server: string;
  /** Throws MemberRequestError when no answer came (refused, reset, timed out, TLS). */
  request(method: "GET" | "PATCH" | "DELETE", path: string, body?: unknown, contentType?: string): Promise<MemberAnswer>;
  close(): void;
}

const MAX_BYTES = 64 * 1024 * 1024;

export async function createMemberClient(access: MemberAccess, opts: { timeoutMs: number; maxSockets?: number }): Promise<MemberClient> {
  const tls: https.RequestOptions = {};
  await access.kc.applyToHTTPSOptions(tls);
  const plain = access.server.startsWith("http:");
  const maxSockets = opts.maxSockets ?? 4;
  const agent: http.Agent =
    access.proxyUrl && tls.agent
      ? (tls.agent as http.Agent)
      : plain
        ? new http.Agent({ keepAlive: true, maxSockets })
        : new https.Agent({
            keepAlive: true,
            maxSockets,
            ...(tls.ca ? { ca: tls.ca } : {}),
            ...(tls.cert ? { cert: tls.cert } : {}),
            ...(tls.key ? { key: tls.key } : {}),
            ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
            ...(tls.servername ? { servername: tls.servername } : {}),
          });
  const baseHeaders = { ...(tls.headers as Record<string, string> | undefined), accept: "application/json" };
  const lib = plain ? http : https;

  const request: MemberClient["request"] = (method, path, body, contentType = "application/json") =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string | number> = { ...baseHeaders };
      if (payload) Object.assign(headers, { "content-type": contentType, "content-length": payload.length });
      const req = lib.request(`${access.server}${path}`, { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_BYTES) req.destroy(new MemberRequestError(`answer to ${method} ${path} larger than ${MAX_BYTES} bytes`, "ETOOBIG"));
          else chunks.push(c);
        });
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on("error", (e) => reject(asRequestError(e)));
      });
      // One deadline for the whole exchange: a member that trickles bytes is as stuck as a silent one.
      const timer = setTimeout(() => req.destroy(new MemberRequestError(`no answer within ${Math.round(opts.timeoutMs / 1000)}s`, "ETIMEDOUT")), opts.timeoutMs);
      req.on("close", () => clearTimeout(timer));
      req.on("error", (e) => reject(asRequestError(e)));
      req.end(payload);
    });

  return { server: access.server, request, close: () => agent.destroy() };
}

function asRequestError(e: unknown): MemberRequestError {
  if (e instanceof MemberRequestError) return e;
  const err = e as NodeJS.ErrnoException;
  return new MemberRequestError(err.message ?? String(e), err.code ?? "EUNKNOWN");
}

/** The message of a Status answer (what the member said), or the HTTP code. */
export function statusMessage(a: MemberAnswer): string {
  const b = a.body as { message?: unknown } | undefined;
  return typeof b?.message === "string" && b.message ? b.message : `HTTP ${a.status}`;
}
