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

/** A streaming GET (a watch): each JSON line is handed over as it arrives. */
export interface MemberStream {
  /** Settles when the stream ends: the HTTP status (0 when none came) and the error if the exchange failed. */
  readonly done: Promise<{ status: number; error?: MemberRequestError; body?: unknown }>;
  close(): void;
}

export interface MemberClient {
  /** The member's API server URL (not secret; for messages). */
  readonly server: string;
  /** Throws MemberRequestError when no answer came (refused, reset, timed out, TLS). */
  request(method: "GET" | "PATCH" | "DELETE", path: string, body?: unknown, contentType?: string): Promise<MemberAnswer>;
  /** A watch request on its own connections (a long stream must not hold a socket writes wait for). */
  stream(path: string, onLine: (line: unknown) => void, deadlineMs: number): MemberStream;
  close(): void;
}

const MAX_BYTES = 64 * 1024 * 1024;

export async function createMemberClient(access: MemberAccess, opts: { timeoutMs: number; maxSockets?: number }): Promise<MemberClient> {
  const tls: https.RequestOptions = {};
  await access.kc.applyToHTTPSOptions(tls);
  const plain = access.server.startsWith("http:");
  const maxSockets = opts.maxSockets ?? 4;
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
  const agent = newAgent(maxSockets);
  const watchAgent = newAgent(Infinity);
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

  const stream: MemberClient["stream"] = (path, onLine, deadlineMs) => {
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
            try {
              onLine(JSON.parse(line));
            } catch {
              // Not JSON: the next line may be; a broken stream ends on its own.
            }
          }
        });
        res.on("end", () => {
          let body: unknown;
          try {
            body = status !== 200 && buf.trim() ? JSON.parse(buf) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status, body });
        });
        res.on("error", (e) => resolve({ status, error: asRequestError(e) }));
      });
      // A silently dead connection would stall drift detection forever: the stream has a whole-life deadline.
      const timer = setTimeout(() => req?.destroy(new MemberRequestError("watch deadline", "ETIMEDOUT")), deadlineMs);
      req.on("close", () => {
        clearTimeout(timer);
        resolve({ status: 0 });
      });
      req.on("error", (e) => resolve({ status: 0, error: asRequestError(e) }));
      req.end();
    });
    return { done, close: () => req?.destroy() };
  };

  return {
    server: access.server,
    request,
    stream,
    close: () => {
      agent.destroy();
      watchAgent.destroy();
    },
  };
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
