/**
 * The API surface kubectl, client-go and newer hubs rely on, straight to our port (through-hub.test.ts proves the
 * same through the hub): OpenAPI v2/v3, aggregated discovery, Table and metadata-only output, watch-list, 410s
 * after a restart, body and patch limits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { Direct } from "./support/direct.js";

const G = "/apis/multicluster.x-k8s.io/v1alpha1";
const P = `${G}/namespaces/default/placementdecisions`;
let cs: ClusterSet;
let d: Direct;

beforeAll(async () => {
  cs = await startClusterSet({ members: 0, label: "api-surface" });
  d = new Direct(cs);
  for (const n of ["a", "b", "c"]) {
    const r = await d.request("POST", P, { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name: n, labels: { app: "x" } }, schedulerName: "s", decisions: [] });
    expect(r.status).toBe(201);
  }
});
afterAll(async () => {
  d?.close();
  await cs?.stop();
});

/** Raw response headers are needed here: a small wrapper over the same HTTP/2 session. */
async function get(path: string, headers: Record<string, string> = {}) {
  const session = (d as unknown as { session: import("node:http2").ClientHttp2Session }).session;
  return new Promise<{ status: number; headers: Record<string, string>; body: string }>((resolve, reject) => {
    const s = session.request({ ":method": "GET", ":path": path, "x-remote-user": "admin", "x-remote-group": "system:masters", ...headers }, { endStream: true });
    const out = { status: 0, headers: {} as Record<string, string>, body: "" };
    s.on("response", (h) => {
      out.status = Number(h[":status"]);
      for (const [k, v] of Object.entries(h)) out.headers[k] = String(v);
    });
    s.on("data", (c: Buffer) => (out.body += c.toString()));
    s.on("end", () => resolve(out));
    s.on("error", reject);
  });
}

describe("OpenAPI", () => {
  it("v2 has an ETag and answers 304 to If-None-Match", async () => {
    const r = await get("/openapi/v2");
    expect(r.status).toBe(200);
    const doc = JSON.parse(r.body) as { definitions: Record<string, { "x-kubernetes-group-version-kind"?: unknown }> };
    expect(Array.isArray(doc.definitions["io.x-k8s.multicluster.v1alpha1.ClusterProfile"]!["x-kubernetes-group-version-kind"])).toBe(true);
    expect(r.headers.etag).toMatch(/^".+"$/);
    expect((await get("/openapi/v2", { "if-none-match": r.headers.etag! })).status).toBe(304);
  });

  it("v3 index points at a document served for any hash, immutable for its own", async () => {
    const index = JSON.parse((await get("/openapi/v3")).body) as { paths: Record<string, { serverRelativeURL: string }> };
    const url = index.paths["apis/multicluster.x-k8s.io/v1alpha1"]!.serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/multicluster\.x-k8s\.io\/v1alpha1\?hash=[0-9A-F]+$/);
    const doc = await get(url);
    expect(doc.status).toBe(200);
    expect(doc.headers["cache-control"]).toBe("public, immutable");
    const body = JSON.parse(doc.body) as { components: { schemas: Record<string, unknown> }; paths: Record<string, { patch?: { requestBody: { content: Record<string, unknown> } } }> };
    expect(body.components.schemas["io.x-k8s.multicluster.v1alpha1.Work"]).toBeDefined();
    const patchTypes = Object.keys(body.paths[`/apis/multicluster.x-k8s.io/v1alpha1/namespaces/{namespace}/works/{name}`]!.patch!.requestBody.content);
    expect(patchTypes).not.toContain("application/strategic-merge-patch+json");
    expect(patchTypes).toContain("application/apply-patch+yaml");
    const other = await get("/openapi/v3/apis/multicluster.x-k8s.io/v1alpha1?hash=OLD");
    expect(other.status).toBe(200);
    expect(other.headers["cache-control"]).not.toContain("immutable");
  });
});

describe("aggregated discovery", () => {
  for (const v of ["v2", "v2beta1"]) {
    it(`serves apidiscovery.k8s.io/${v} with an ETag and Vary: Accept`, async () => {
      const accept = `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList,application/json`;
      const r = await get("/apis", { accept });
      expect(r.status).toBe(200);
      expect(r.headers["content-type"]).toBe(`application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`);
      expect(r.headers.vary).toBe("Accept");
      const doc = JSON.parse(r.body) as { kind: string; items: { versions: { resources: { resource: string; subresources: { subresource: string }[] }[] }[] }[] };
      expect(doc.kind).toBe("APIGroupDiscoveryList");
      const resources = doc.items[0]!.versions[0]!.resources;
      expect(resources.map((x) => x.resource).sort()).toEqual(["clusterprofiles", "placementdecisions", "works"]);
      expect(resources.find((x) => x.resource === "works")!.subresources.map((s) => s.subresource)).toEqual(["status"]);
      expect((await get("/apis", { accept, "if-none-match": r.headers.etag! })).status).toBe(304);
    });
  }
  it("answers plain discovery to plain JSON, and 406 to what it cannot serve", async () => {
    expect(JSON.parse((await get("/apis", { accept: "application/json" })).body).kind).toBe("APIGroupList");
    expect((await get("/apis", { accept: "application/vnd.kubernetes.protobuf" })).status).toBe(406);
  });
});

describe("output forms", () => {
  const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  it("serves Tables with includeObject None, Metadata and Object", async () => {
    const none = JSON.parse((await get(`${P}?includeObject=None`, { accept: tableAccept })).body) as { kind: string; rows: { cells: unknown[]; object?: { kind: string } }[]; columnDefinitions: { name: string }[] };
    expect(none.kind).toBe("Table");
    expect(none.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Scheduler", "Decisions", "Age"]);
    expect(none.rows[0]!.object).toBeNull(); // the key is there, empty, as kube-apiserver writes it
    const meta = JSON.parse((await get(P, { accept: tableAccept })).body) as typeof none;
    expect(meta.rows[0]!.object!.kind).toBe("PartialObjectMetadata");
    const obj = JSON.parse((await get(`${P}?includeObject=Object`, { accept: tableAccept })).body) as typeof none;
    expect(obj.rows[0]!.object!.kind).toBe("PlacementDecision");
  });

  it("chooses JSON metadata-only lists when the client lists protobuf first, as the hub's controllers do", async () => {
    const accept = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
    const r = await get(P, { accept });
    expect(r.status).toBe(200);
    const list = JSON.parse(r.body) as { kind: string; apiVersion: string; items: { kind: string; metadata: { name: string } }[] };
    expect(list.kind).toBe("PartialObjectMetadataList");
    expect(list.apiVersion).toBe("meta.k8s.io/v1");
    expect(list.items.map((i) => i.metadata.name)).toEqual(["a", "b", "c"]);
    expect(list.items[0]).not.toHaveProperty("decisions");
  });
});

describe("watch", () => {
  it("watch-list: initial events, then a bookmark marking their end", async () => {
    const lines = await readWatch(`${P}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=2`);
    const types = lines.map((l) => l.type);
    expect(types.slice(0, 3)).toEqual(["ADDED", "ADDED", "ADDED"]);
    const bookmark = lines.find((l) => l.type === "BOOKMARK")!;
    expect(bookmark.object.metadata.annotations?.["k8s.io/initial-events-end"]).toBe("true");
  });

  it("answers a resume point older than the history with 200 and an ERROR 410 event, and an old continue with 410", async () => {
    const page = JSON.parse((await get(`${P}?limit=1`)).body) as { metadata: { continue: string } };
    // A write after the page, before the restart: the page's revision is then older than anything the restarted
    // server can reconstruct (its history starts empty), so the token has expired.
    await d.request("POST", P, { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name: "between" }, decisions: [] });
    await cs.server.restart();
    d.close();
    d = new Direct(cs);
    await d.request("POST", P, { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name: "after-restart" }, decisions: [] });
    const lines = await readWatch(`${P}?watch=1&resourceVersion=1&timeoutSeconds=2`);
    expect(lines[0]).toMatchObject({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } });
    const cont = await get(`${P}?limit=1&continue=${encodeURIComponent(page.metadata.continue)}`);
    expect(cont.status).toBe(410);
    expect(JSON.parse(cont.body)).toMatchObject({ reason: "Expired", code: 410 });
    expect(JSON.parse(cont.body).message).toMatch(/^The provided continue parameter is too old/);
  });
});

describe("limits", () => {
  it("refuses bodies over 3 MiB with 413", async () => {
    const big = { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name: "big", annotations: { x: "y".repeat(3 * 1024 * 1024 + 10) } }, decisions: [] };
    const r = await d.request("POST", P, big);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ kind: "Status", reason: "RequestEntityTooLarge", code: 413 });
  });
  it("refuses JSON patches with more than 10,000 operations with 413", async () => {
    const ops = Array.from({ length: 10_001 }, () => ({ op: "test", path: "/metadata/name", value: "a" }));
    const r = await d.request("PATCH", `${P}/a`, JSON.stringify(ops), { "content-type": "application/json-patch+json" });
    expect(r.status).toBe(413);
  });
  it("refuses strategic merge patch with 415, as for custom resources", async () => {
    const r = await d.request("PATCH", `${P}/a`, "{}", { "content-type": "application/strategic-merge-patch+json" });
    expect(r.status).toBe(415);
    expect(JSON.parse(r.body).reason).toBe("UnsupportedMediaType");
  });
});

async function readWatch(path: string): Promise<{ type: string; object: { kind?: string; code?: number; metadata: { annotations?: Record<string, string> } } }[]> {
  const r = await get(path);
  expect(r.status).toBe(200);
  return r.body.split("\n").filter(Boolean).map((l) => JSON.parse(l));
}
