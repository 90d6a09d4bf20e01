/**
 * A small HTTPS client for the harness and tests: explicit CA and client certificate per request, no
 * connection reuse (each poll or test request stands alone), bodies read as text.
 */
import type { IncomingHttpHeaders } from "node:http";
import { request } from "node:https";
import { waitFor, type ManagedProcess } from "./processes.js";

export interface TlsCreds {
  /** PEM CA bundle to verify the server with. */
  ca: string;
  /** PEM client certificate and key, when the request should authenticate with one. */
  cert?: string;
  key?: string;
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string | string[]>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  timeoutMs?: number;
}

export interface HttpsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json<T = unknown>(): T;
}

export function httpsRequest(url: string, creds: TlsCreds, init: RequestInit = {}): Promise<HttpsResponse> {
  const u = new URL(url);
  return rawHttpsRequest(u.origin, creds, `${u.pathname}${u.search}`, init);
}

/**
 * A request with its path sent exactly as given (no dot-segment removal, no re-encoding, as `new URL` would do):
 * hostile paths (`..`, `%2F`, `//`) reach the server as written.
 */
export function rawHttpsRequest(origin: string, creds: TlsCreds, path: string, init: RequestInit = {}): Promise<HttpsResponse> {
  const u = new URL(origin);
  const headers: Record<string, string | string[]> = { ...init.headers };
  let payload: string | Buffer | undefined;
  if (init.body !== undefined) {
    if (typeof init.body === "string" || Buffer.isBuffer(init.body)) payload = init.body;
    else {
      payload = JSON.stringify(init.body);
      headers["content-type"] ??= "application/json";
    }
  }
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: u.hostname, port: u.port, path, method: init.method ?? "GET", headers, ca: creds.ca, cert: creds.cert, key: creds.key, agent: false, timeout: init.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout after ${init.timeoutMs ?? 30_000} ms: ${origin}${path.slice(0, 200)}`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Polls `url` (e.g. `/readyz`) until it answers 200; the last answer and the process log explain a timeout. */
export async function waitForHttpsOk(
  url: string,
  creds: TlsCreds,
  opts: { what: string; proc?: ManagedProcess; timeoutMs?: number; intervalMs?: number },
): Promise<void> {
  await waitFor(
    async (last) => {
      const res = await httpsRequest(url, creds, { timeoutMs: 5_000 });
      if (res.status === 200) return true;
      last.reason = `HTTP ${res.status}: ${res.body.slice(0, 500)}`;
      return undefined;
    },
    { intervalMs: 250, ...opts },
  );
}
