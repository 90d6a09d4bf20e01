/**
 * Request deadlines, as kube-apiserver's timeout filter: every request but a watch gets `?timeout=` (a Go
 * duration, capped) or the default of 60 s; past it the client gets 504 Timeout and whatever the handler still
 * does is discarded.
 */
import { badRequest, timeout } from "../resources/rest.js";

export const defaultRequestTimeoutMs = 60_000;

const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `1h2m3.5s` → milliseconds. Throws 400 for what Go's time.ParseDuration would refuse. */
export function parseGoDuration(s: string): number {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * units[m[2]!]!;
    matched = re.lastIndex;
  }
  if (s === "" || matched !== s.length) throw badRequest(`invalid timeout: time: invalid duration ${JSON.stringify(s)}`);
  return total;
}

/** The deadline for one request: the query's `timeout` when shorter than the default. */
export function requestTimeoutMs(query: URLSearchParams, cap = defaultRequestTimeoutMs): number {
  const t = query.get("timeout");
  if (t === null || t === "") return cap;
  const ms = parseGoDuration(t);
  return ms > 0 && ms < cap ? ms : cap;
}

export const requestTimedOut = () => timeout("Timeout: request did not complete within requested timeout - context deadline exceeded", 0);
