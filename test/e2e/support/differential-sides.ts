/**
 * The two sides of the differential test and the helpers every scenario module uses:
 *   A: our server behind a real hub (kube-apiserver 1.37, our APIService),
 *   B: a plain kube-apiserver 1.37 serving the upstream PlacementDecision and ClusterProfile CRDs.
 *
 * `useDifferentialSides()` (called once, at the top of test/e2e/differential.test.ts) starts both in one
 * beforeAll; scenario modules (test/e2e/differential/*.ts) read the live bindings `A`, `B`, `cs`, `n`.
 *
 * Isolation: every scenario makes what it needs. `space(tag)` gives it its own namespace `diff-<tag>` on both
 * sides (created once, idempotently), `given()` (re)creates an object on both sides, and resourceVersions are
 * taken from the answers the scenario itself got. So each scenario runs alone with `-t '<its name>'`.
 */
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startCluster, type Cluster } from "../../harness/cluster.js";
import { startClusterSet, type ClusterSet } from "../../harness/clusterset.js";
import { rawHttpsRequest, type HttpsResponse, type RequestInit, type TlsCreds } from "../../harness/https.js";
import { waitFor } from "../../harness/processes.js";
import { repoRoot } from "../../harness/run-dir.js";
import { ask, Normalizer, RV, TIME, UID, type Answer, type Json, type Side } from "./differential.js";

export { GENERATED_SUFFIX, RV, TIME, UID, watchEvents, type Answer, type Json, type Side } from "./differential.js";

export const G = "/apis/multicluster.x-k8s.io/v1alpha1";
export const AV = "multicluster.x-k8s.io/v1alpha1";
export const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";

/** DIFFERENTIAL_STRICT=1 compares everything, open bugs included: each shows as a failure (to check a fix). */
export const strict = process.env.DIFFERENTIAL_STRICT === "1";

export let A: Side;
export let B: Side;
export let cs: ClusterSet;
export let crd: Cluster;
export let n: Normalizer;
let openBugs: ReadonlyMap<string, string> = new Map();

/** Whether bug `id` (an OPEN_BUGS key) is open, i.e. the part of the answer it affects is not compared. */
export function isOpen(id: string): boolean {
  if (!openBugs.has(id)) throw new Error(`unknown bug id ${id}: open bugs are ${[...openBugs.keys()].join(", ")}`);
  return !strict;
}

/** A request with its path sent as written (hostile paths must reach both servers unchanged). */
export const rawRequest = rawHttpsRequest;

const sideOf = (name: "A" | "B", c: Cluster): Side => {
  const creds: TlsCreds = { ca: c.pki.ca.certPem, cert: c.pki.admin.certPem, key: c.pki.admin.keyPem };
  return { name, request: (p, init) => rawRequest(c.url, creds, p, init) };
};

/** Starts A and B once for the whole file (hub + our server, and a plain kube-apiserver with the CRDs). */
export function useDifferentialSides(bugs: ReadonlyMap<string, string>): void {
  openBugs = bugs;
  n = new Normalizer(strict ? new Set() : new Set(bugs.keys()), ["gen-"]);
  let failed = false;
  let set: ClusterSet | undefined;
  let plain: Cluster | undefined;
  beforeAll(async () => {
    const [s, p] = await Promise.allSettled([startClusterSet({ members: 0, label: "differential" }), startCluster({ name: "crd-apiserver", controllerManager: false })]);
    if (s.status === "fulfilled") set = s.value;
    if (p.status === "fulfilled") plain = p.value;
    if (s.status === "rejected") throw s.reason;
    if (p.status === "rejected") throw p.reason;
    cs = s.value;
    crd = p.value;
    for (const f of ["placementdecisions", "clusterprofiles"]) {
      await crd.kubectl(["apply", "--validate=false", "-f", path.join(repoRoot, "resources", "crds", `multicluster.x-k8s.io_${f}.yaml`)], { check: true });
    }
    await crd.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/placementdecisions.multicluster.x-k8s.io", "crd/clusterprofiles.multicluster.x-k8s.io"], { check: true });
    A = sideOf("A", cs.hub);
    B = sideOf("B", crd);
    // The CRD's REST storage comes up shortly after Established.
    const all = (r: string) => `${G}/${r}`;
    await waitFor(async () => ((await B.request(all("placementdecisions"))).status === 200 && (await B.request(all("clusterprofiles"))).status === 200 ? true : undefined), {
      what: "B serving the CRDs",
      timeoutMs: 30_000,
    });
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === "fail") failed = true;
  });
  afterAll(async () => {
    await Promise.all([set?.stop({ keepLogs: failed }), plain?.stop({ keepLogs: failed })]);
  });
}

export type Init = RequestInit | ((side: Side) => RequestInit);
export type PathArg = string | ((side: Side) => string);

/** The same request to A and B (in parallel; the two servers share nothing). */
export async function both(p: PathArg, init: Init = {}): Promise<[Answer, Answer]> {
  const one = (s: Side) => ask(s, typeof p === "function" ? p(s) : p, typeof init === "function" ? init(s) : init);
  return Promise.all([one(A), one(B)]);
}

/** Per side: `a` for A, `b` for B (e.g. a resourceVersion or continue token each side gave). */
export const per = <T>(a: T, b: T) => (s: Side): T => (s.name === "A" ? a : b);

/** Deletes dotted paths ("body.details.kind") from a normalized answer. */
export function omit(x: Json, paths: string[]): Json {
  const copy = structuredClone(x);
  for (const p of paths) {
    const keys = p.split(".");
    let at = copy;
    for (const k of keys.slice(0, -1)) at = at?.[k];
    if (at && typeof at === "object") delete at[keys[keys.length - 1]!];
  }
  return copy;
}

/**
 * A == B after normalization. `documented` names parts left out because they differ by design (the scenario
 * asserts both sides of them itself); `unless` names parts left out while a bug is open (its id in OPEN_BUGS).
 */
export function same(a: Answer, b: Answer, opts: { documented?: string[]; unless?: Record<string, string[]>; what?: string } = {}): void {
  const paths = [...(opts.documented ?? [])];
  for (const [bug, ps] of Object.entries(opts.unless ?? {})) if (isOpen(bug)) paths.push(...ps);
  const na = omit(n.answer(a), paths);
  const nb = omit(n.answer(b), paths);
  expect(na, `${opts.what ?? "A vs B"}\nA: ${a.body.slice(0, 2000)}\nB: ${b.body.slice(0, 2000)}`).toEqual(nb);
}

export interface Space {
  ns: string;
  /** The namespace's placementdecisions collection. */
  PD: string;
  /** The namespace's clusterprofiles collection. */
  CP: string;
}

const spaces = new Map<string, Promise<void>>();

/** The scenario's own namespace `diff-<tag>` on both sides (created on first use; 409 counts as there). */
export async function space(tag: string): Promise<Space> {
  const ns = `diff-${tag}`;
  let made = spaces.get(ns);
  if (!made) {
    made = (async () => {
      for (const side of [A, B]) {
        const r = await side.request("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } } });
        expect([201, 409], `${side.name}: namespace ${ns}: ${r.body}`).toContain(r.status);
      }
    })();
    spaces.set(ns, made);
  }
  await made;
  return { ns, PD: `${G}/namespaces/${ns}/placementdecisions`, CP: `${G}/namespaces/${ns}/clusterprofiles` };
}

/**
 * The object `body` as the only version of it on both sides: deleted first if present (its finalizers removed),
 * then created. Returns the two 201 answers; resourceVersions for later updates come from them.
 */
export async function given(collection: string, body: Json): Promise<[Answer, Answer]> {
  const name = body.metadata.name as string;
  const one = async (s: Side): Promise<Answer> => {
    const item = `${collection}/${name}`;
    if ((await ask(s, item)).status === 200) {
      await ask(s, item, { method: "PATCH", headers: { "content-type": "application/merge-patch+json" }, body: JSON.stringify({ metadata: { finalizers: null } }) });
      await ask(s, item, { method: "DELETE" });
      await waitFor(async () => ((await ask(s, item)).status === 404 ? true : undefined), { what: `${s.name}: ${item} gone`, timeoutMs: 30_000 });
    }
    const r = await ask(s, collection, { method: "POST", body });
    expect(r.status, `${s.name}: given ${item}: ${r.body}`).toBe(201);
    return r;
  };
  return Promise.all([one(A), one(B)]);
}

/** A PlacementDecision (valid; `extra` adds or overrides top-level fields). */
export const pd = (name: string, extra: { labels?: Record<string, string>; finalizers?: string[]; [k: string]: unknown } = {}): Json => {
  const { labels, finalizers, ...rest } = extra;
  return {
    apiVersion: AV,
    kind: "PlacementDecision",
    metadata: { name, ...(labels ? { labels } : {}), ...(finalizers ? { finalizers } : {}) },
    schedulerName: "sched-a",
    decisions: [{ clusterProfileRef: { name: "m1" } }],
    ...rest,
  };
};

/** A ClusterProfile (valid, not of a joined member). */
export const profile = (name: string, extra: Json = {}): Json => ({
  apiVersion: AV,
  kind: "ClusterProfile",
  metadata: { name },
  spec: { displayName: name, clusterManager: { name: "other-manager" } },
  ...extra,
});

export const post = (body: unknown): RequestInit => ({ method: "POST", body });

export const patch = (type: "merge" | "json" | "strategic" | "apply", body: unknown): RequestInit => ({
  method: "PATCH",
  headers: { "content-type": { merge: "application/merge-patch+json", json: "application/json-patch+json", strategic: "application/strategic-merge-patch+json", apply: "application/apply-patch+yaml" }[type] },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

/** The resourceVersion of an object as each side last returned it: `rv(a, b)` for a per-side path or body. */
export const rv = (a: Answer, b: Answer) => per<string>(a.json.metadata.resourceVersion, b.json.metadata.resourceVersion);

/** The server-set metadata of a created object, in kube-apiserver's formats. */
export function expectServerMeta(o: Json, generation: number): void {
  expect(o.metadata.uid).toMatch(UID);
  expect(o.metadata.creationTimestamp).toMatch(TIME);
  expect(o.metadata.generation).toBe(generation);
  expect(o.metadata.resourceVersion).toMatch(RV);
}

/** Our server's own answer (HTTP/2 straight to it, as the hub's proxy sends it): who answered what, through the hub. */
export async function direct(p: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  const { Direct } = await import("./direct.js");
  const d = new Direct(cs);
  try {
    const body = init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    const headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k, String(v)]));
    return await d.request(init.method ?? "GET", p, body, headers);
  } catch (e) {
    return { status: -1, body: String(e) };
  } finally {
    d.close();
  }
}

/**
 * Several requests of one class: every pair compared, and all mismatches reported at once (with what each side
 * answered), instead of stopping at the first.
 */
export class Mismatches {
  private readonly lines: string[] = [];
  add(what: string, a: Answer, b: Answer, opts: Parameters<typeof same>[2] = {}): void {
    try {
      expect(a.status, `A answered a server error`).toBeLessThan(500);
      same(a, b, opts);
    } catch {
      this.lines.push(`${what}\n  A ${a.status}: ${a.body.slice(0, 1500)}\n  B ${b.status}: ${b.body.slice(0, 1500)}`);
    }
  }
  check(): void {
    expect(this.lines, this.lines.join("\n")).toEqual([]);
  }
}
