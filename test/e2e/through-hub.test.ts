/**
 * What a current hub (the release test/go/kube pins) and its own kubectl do with us: aggregated discovery merged
 * into the hub's, OpenAPI v3 aggregated by the hub and read by `kubectl explain`, the user's uid passed on by the
 * aggregator, watch-list through the proxy, kubectl's field validation, and CBOR answered as the same hub answers
 * it for a CRD (the About API's ClusterProperty, installed on the hub for the comparison).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { httpsRequest } from "../harness/https.js";
import { kubeVersion } from "../harness/binaries.js";
import { waitFor } from "../harness/processes.js";
import { repoRoot } from "../harness/run-dir.js";

const GROUP = "multicluster.x-k8s.io";
const G = `/apis/${GROUP}/v1alpha1`;
const PD = `${G}/namespaces/default/placementdecisions`;
const AV = `${GROUP}/v1alpha1`;
const CRD_PROPS = "/apis/about.k8s.io/v1alpha1/clusterproperties";
let cs: ClusterSet;

beforeAll(async () => {
  cs = await startClusterSet({ members: 0, label: "through-hub" });
  const crd = path.join(repoRoot, "resources", "crds", "about.k8s.io_clusterproperties.yaml");
  await cs.hub.kubectl(["apply", "-f", crd], { check: true });
  await cs.hub.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/clusterproperties.about.k8s.io"], { check: true });
  for (const name of ["a", "b"]) {
    const r = await cs.hub.request(PD, { method: "POST", body: { apiVersion: AV, kind: "PlacementDecision", metadata: { name, labels: { set: "initial" } }, schedulerName: "s", decisions: [] } });
    expect(r.status, r.body).toBe(201);
  }
});
afterAll(async () => {
  await cs?.stop();
});

interface DiscoveryResource {
  resource: string;
  responseKind: { kind: string };
  scope: string;
  singularResource: string;
  verbs: string[];
  categories?: string[];
  subresources?: { subresource: string }[];
}

describe(`a ${kubeVersion} hub`, () => {
  it("is the pinned release", async () => {
    const v = await cs.hub.request("/version");
    expect(v.json<{ gitVersion: string }>().gitVersion).toBe(kubeVersion);
  });

  it("merges our aggregated discovery into its own /apis (apidiscovery.k8s.io/v2)", async () => {
    const r = await cs.hub.request("/apis", { headers: { accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" } });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const doc = r.json<{ items: { metadata: { name: string }; versions: { version: string; resources: DiscoveryResource[]; freshness?: string }[] }[] }>();
    const ours = doc.items.find((g) => g.metadata.name === GROUP);
    expect(ours?.versions.map((v) => v.version)).toEqual(["v1alpha1"]);
    const byName = new Map(ours!.versions[0]!.resources.map((x) => [x.resource, x]));
    expect([...byName.keys()].sort()).toEqual(["clusterprofiles", "placementdecisions", "works"]);
    expect(byName.get("clusterprofiles")).toMatchObject({
      responseKind: { kind: "ClusterProfile" },
      scope: "Namespaced",
      singularResource: "clusterprofile",
      categories: ["multicluster"],
      subresources: [{ subresource: "status" }],
    });
    expect(ours!.versions[0]!.freshness ?? "Current").toBe("Current");
  });

  it("kubectl: api-resources from aggregated discovery; get by plural, singular, Kind and category", async () => {
    const r = await cs.hub.kubectl(["api-resources", `--api-group=${GROUP}`, "--no-headers"], { check: true });
    const rows = r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/));
    expect(rows.map((c) => c[0]).sort()).toEqual(["clusterprofiles", "placementdecisions", "works"]);
    for (const c of rows) expect(c.slice(1)).toEqual([AV, "true", c[0] === "clusterprofiles" ? "ClusterProfile" : c[0] === "works" ? "Work" : "PlacementDecision"]);
    for (const what of ["placementdecisions", "placementdecision", "PlacementDecision", `placementdecisions.${GROUP}`]) {
      const g = await cs.hub.kubectl(["get", what, "-o", "name"]);
      expect(g.stderr, what).toBe("");
      expect(g.stdout.trim().split("\n"), what).toEqual([`placementdecision.${GROUP}/a`, `placementdecision.${GROUP}/b`]);
    }
    const cat = await cs.hub.kubectl(["get", "multicluster", "-o", "name"], { check: true });
    expect(cat.stdout).toContain(`placementdecision.${GROUP}/a`);
  });

  it("aggregates our OpenAPI v3; kubectl explain reads it through the hub", async () => {
    const index = (await cs.hub.request("/openapi/v3")).json<{ paths: Record<string, { serverRelativeURL: string }> }>();
    const entry = index.paths[`apis/${GROUP}/v1alpha1`];
    expect(entry?.serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/apis/${GROUP.replaceAll(".", "\\.")}/v1alpha1\\?hash=[0-9A-F]+$`));
    const doc = await cs.hub.request(entry!.serverRelativeURL);
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.json<{ components: { schemas: object } }>().components.schemas)).toContain("io.x-k8s.multicluster.v1alpha1.PlacementDecision");
    const ex = await cs.hub.kubectl(["explain", "placementdecisions.decisions.clusterProfileRef"], { check: true });
    expect(ex.stdout).toContain(`GROUP:      ${GROUP}`);
    expect(ex.stdout).toMatch(/name\s+<string> -required-/);
  });

  it("kubectl's validation: a missing required field is refused, an unknown field is refused strictly", async () => {
    const missing = { apiVersion: AV, kind: "PlacementDecision", metadata: { name: "no-decisions", namespace: "default" }, schedulerName: "s" };
    const r1 = await cs.hub.kubectl(["create", "-f", "-"], { input: JSON.stringify(missing) });
    expect(r1.code).not.toBe(0);
    // kubectl words the server's 422 with the Status' details.kind.
    expect(r1.stderr.trim()).toBe('The PlacementDecision "no-decisions" is invalid: decisions: Required value');
    const unknown = { ...missing, metadata: { name: "unknown-field", namespace: "default" }, decisions: [], extra: 1 };
    const r2 = await cs.hub.kubectl(["create", "-f", "-"], { input: JSON.stringify(unknown) });
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain('strict decoding error: unknown field "extra"');
    const r3 = await cs.hub.kubectl(["create", "--validate=warn", "-f", "-"], { input: JSON.stringify(unknown) });
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stderr).toContain('unknown field "extra"');
    expect((await cs.hub.request(`${PD}/unknown-field`)).json<Record<string, unknown>>().extra).toBeUndefined();
  });

  it("passes the user's uid (X-Remote-Uid) on to us", async () => {
    await cs.hub.kubectl(["create", "serviceaccount", "uid-robot", "-n", "default"], { check: true });
    await cs.hub.kubectl(["create", "clusterrolebinding", "uid-robot", "--clusterrole=view", "--serviceaccount=default:uid-robot"], { check: true });
    const token = (await cs.hub.kubectl(["create", "token", "uid-robot", "-n", "default"], { check: true })).stdout.trim();
    const asRobot = { headers: { authorization: `Bearer ${token}` } };
    // The hub's own view of the user, uid included.
    const review = await httpsRequest(`${cs.hub.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { ca: cs.hub.caPem }, { ...asRobot, method: "POST", body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" } });
    const uid = review.json<{ status: { userInfo: { uid: string } } }>().status.userInfo.uid;
    expect(uid).toMatch(/^[0-9a-f-]{36}$/);
    const r = await httpsRequest(`${cs.hub.url}${PD}`, { ca: cs.hub.caPem }, asRobot);
    expect(r.status, r.body).toBe(200);
    // Our request log line (pino writes it asynchronously: poll the file).
    const seen = await waitFor(async () => {
      const lines = readFileSync(cs.server.proc!.logPath, "utf8").split("\n").filter((l) => l.includes("serviceaccount:default:uid-robot"));
      const entries = lines.map((l) => JSON.parse(l) as { msg: string; user?: string; uid?: string; verb?: string });
      return entries.find((e) => e.msg === "request" && e.verb === "list");
    }, { what: "our request log line for uid-robot", timeoutMs: 10_000 });
    expect(seen.uid).toBe(uid);
  });

  it("watch-list through the proxy: the initial objects, then the bookmark that ends them", async () => {
    const r = await cs.hub.request(`${PD}?labelSelector=set%3Dinitial&watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=2`);
    expect(r.status).toBe(200);
    const events = r.body.trim().split("\n").map((l) => JSON.parse(l) as { type: string; object: { kind?: string; apiVersion?: string; metadata: { name?: string; annotations?: Record<string, string> } } });
    const initial = events.slice(0, events.findIndex((e) => e.type === "BOOKMARK"));
    expect(initial.map((e) => `${e.type} ${e.object.metadata.name}`).sort()).toEqual(["ADDED a", "ADDED b"]);
    const bookmark = events[initial.length]!;
    expect(bookmark.object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    // Of the resource's kind: client-go's decoder drops a watch whose bookmark has none.
    expect(bookmark.object).toMatchObject({ kind: "PlacementDecision", apiVersion: AV });
  });

  it("CBOR: answered as the hub answers it for a CRD", async () => {
    const ask = (p: string, init: Parameters<ClusterSet["hub"]["request"]>[1]) => cs.hub.request(p, init);
    const getA = await ask(PD, { headers: { accept: "application/cbor" } });
    const getB = await ask(CRD_PROPS, { headers: { accept: "application/cbor" } });
    expect(getA.status).toBe(getB.status);
    const cbor = { "content-type": "application/cbor" };
    const postA = await ask(PD, { method: "POST", headers: cbor, body: Buffer.from([0xa0]) });
    const postB = await ask(CRD_PROPS, { method: "POST", headers: cbor, body: Buffer.from([0xa0]) });
    expect(postA.status).toBe(postB.status);
    expect(postA.json<{ reason: string }>().reason).toBe(postB.json<{ reason: string }>().reason);
    if (getB.status === 406) expect(getA.json<{ reason: string }>().reason).toBe(getB.json<{ reason: string }>().reason);
  });
});
