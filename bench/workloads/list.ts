/**
 * LIST through the front kube-apiserver, sequential requests on one HTTP/2 connection, JSON without compression
 * (no Accept-Encoding), timed to the last byte of the body:
 *  - full: the whole collection, no resourceVersion (a consistent read: etcd quorum read on B);
 *  - rv0: resourceVersion=0 (B answers from its watch cache);
 *  - table: the Table form `kubectl get` asks for;
 *  - paged: limit=500, following `continue` to the end (one sample = the whole walk).
 */
import { expectStatus, request, type Reply, type RequestSpec, type Session } from "../client.js";
import { COLLECTION } from "../fixtures.js";
import { since } from "../stats.js";

export type ListKind = "full" | "rv0" | "table" | "paged";

export interface ListSamples {
  ms: number[];
  bytes: number;
  /** Pages per walk (paged) or 1. */
  pages: number;
  /** Requests that failed and were retried (the sample's time includes the failure and the retry). */
  errors: number;
  firstError?: string;
}

/** Pauses before the retries of a failed LIST request (a 503 from the hub passes in tens of ms). */
const RETRY_PAUSES_MS = [100, 300, 1_000];

/** Failures seen by the requests of one listRound; a failed request is retried after a pause. */
interface Tally {
  errors: number;
  firstError?: string;
}

async function withRetry(s: Session, spec: RequestSpec, what: string, tally: Tally): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    try {
      const r = await request(s, spec);
      if (r.status === 200) return r;
      failure = `${what}: HTTP ${r.status}: ${r.head.slice(0, 300).trim()}`;
    } catch (e) {
      failure = `${what}: ${(e as Error).message}`;
    }
    tally.errors++;
    tally.firstError ??= failure;
    if (attempt === RETRY_PAUSES_MS.length + 1) throw new Error(`${failure} (${attempt} attempts)`);
    await new Promise((r) => setTimeout(r, RETRY_PAUSES_MS[attempt - 1]));
  }
}

export const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

async function once(s: Session, kind: Exclude<ListKind, "paged">, tally: Tally): Promise<{ ms: number; bytes: number }> {
  const path = kind === "rv0" ? `${COLLECTION}?resourceVersion=0` : COLLECTION;
  const t0 = performance.now();
  const r = await withRetry(s, { path, ...(kind === "table" ? { accept: TABLE_ACCEPT } : {}) }, `LIST ${kind}`, tally);
  return { ms: since(t0), bytes: r.bytes };
}

export const CONTINUE = /"continue":"([^"]*)"/;

async function walk(s: Session, limit: number, tally: Tally): Promise<{ ms: number; bytes: number; pages: number }> {
  const t0 = performance.now();
  let bytes = 0;
  let pages = 0;
  let token = "";
  for (;;) {
    const path = `${COLLECTION}?limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ""}`;
    const r = await withRetry(s, { path }, `paged LIST page ${pages + 1}`, tally);
    bytes += r.bytes;
    pages++;
    // The list's metadata comes first from our server, last from kube-apiserver (unstructured lists sort keys).
    token = (CONTINUE.exec(r.head) ?? CONTINUE.exec(r.tail))?.[1] ?? "";
    if (!token) break;
    if (pages > 10_000) throw new Error("paged LIST did not end after 10,000 pages");
  }
  return { ms: since(t0), bytes, pages };
}

/** One warm-up request, then `reps` timed ones. */
export async function listRound(s: Session, kind: ListKind, reps: number, pageLimit = 500): Promise<ListSamples> {
  const tally: Tally = { errors: 0 };
  const one = () => (kind === "paged" ? walk(s, pageLimit, tally) : once(s, kind, tally).then((r) => ({ ...r, pages: 1 })));
  await one();
  const ms: number[] = [];
  let last = { bytes: 0, pages: 0 };
  for (let i = 0; i < reps; i++) {
    const r = await one();
    ms.push(r.ms);
    last = r;
  }
  return { ms, bytes: last.bytes, pages: last.pages, errors: tally.errors, ...(tally.firstError ? { firstError: tally.firstError } : {}) };
}

/** Parses one full LIST (untimed) and returns its item count: the bench checks both sides hold what it wrote. */
export async function countItems(s: Session): Promise<{ items: number; withStatus: number; managedFields: boolean }> {
  const r = expectStatus(await request(s, { path: COLLECTION, keepBody: true }), [200], "LIST (count)");
  const list = JSON.parse(r.body!.toString("utf8")) as { items: Array<{ status?: { conditions?: unknown[] }; metadata: { managedFields?: unknown[] } }> };
  return {
    items: list.items.length,
    withStatus: list.items.filter((o) => (o.status?.conditions?.length ?? 0) > 0).length,
    managedFields: list.items.some((o) => (o.metadata.managedFields?.length ?? 0) > 0),
  };
}
