/**
 * Malformed requests, straight to our port as the aggregator sends them (front-proxy certificate, admin user):
 * bodies, patches, selectors, paths, query values and headers. Zero crashes, zero 5xx, and every failure is a
 * Status with a fitting 4xx code. Seeded, so a failure reproduces.
 */
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";

const G = "/apis/multicluster.x-k8s.io/v1alpha1";
const TOTAL = 10_000;
let cs: ClusterSet;
let session: http2.ClientHttp2Session;

beforeAll(async () => {
  cs = await startClusterSet({ members: 0, label: "fuzz" });
  session = http2.connect(cs.server.url, { ca: cs.server.caPem, cert: cs.frontProxyClient.cert, key: cs.frontProxyClient.key });
});
afterAll(async () => {
  session?.close();
  await cs?.stop();
});

/** mulberry32: a small seeded PRNG. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const junk = () => pick(["", "x", "%", "%zz", "../..", "a/b", "Ünïcödé", "\u0000", "a".repeat(300), "-1", "1e9", "true", "{}", "[]", "null", "name,", "=", "!", "(", "in (a", "a in ()", "0x10"]);
  const resources = ["clusterprofiles", "works", "placementdecisions", "nope", "Works", "works/status", ""];
  const kinds = ["ClusterProfile", "Work", "PlacementDecision", "Pod", "", 42];
  const randomValue = (depth = 0): unknown => {
    const t = r();
    if (depth > 3 || t < 0.3) return pick([null, true, 1, -1, 1.5, "s", "", "a".repeat(2000), [], {}]);
    if (t < 0.6) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = 0; i < Math.floor(r() * 5); i++) o[pick(["spec", "status", "metadata", "name", "labels", "decisions", "workload", "manifests", "clusterManager", "displayName", "conditions", junk()])] = randomValue(depth + 1);
    return o;
  };
  const objectBody = () => {
    const t = r();
    if (t < 0.15) return pick(["", "{", "nul", "[1,2", "\u00ff\u00fe", "{\"a\":}", "a: b: c", "---\n- x"]);
    const o: Record<string, unknown> = {
      apiVersion: pick(["multicluster.x-k8s.io/v1alpha1", "multicluster.x-k8s.io/v1alpha1", "v1", "", 7, "multicluster.x-k8s.io/v1"]),
      kind: pick(kinds),
      metadata: r() < 0.2 ? randomValue() : { name: pick(["ok", "ok", "Bad_Name", "", "a".repeat(300), junk()]), namespace: pick([undefined, "default", "other"]), labels: r() < 0.5 ? { [junk() || "k"]: junk() } : undefined, resourceVersion: pick([undefined, "1", "abc", "-5"]) },
    };
    for (let i = 0; i < 3; i++) o[pick(["spec", "status", "decisions", "schedulerName", junk() || "extra"])] = randomValue();
    return JSON.stringify(o);
  };
  const patchBody = (type: string) => {
    if (type.includes("json-patch")) {
      return JSON.stringify(pick([[], {}, [{ op: "add" }], [{ op: "replace", path: "/spec", value: 1 }], [{ op: "test", path: "/metadata/name", value: "x" }], [{ op: "remove", path: "/nope/deeper" }], [{ op: "move", from: "/a", path: "/b" }], "x", [{ op: "add", path: "/metadata/labels/a", value: { deep: true } }]]));
    }
    return r() < 0.3 ? pick(["", "{", "null", "[]", "1"]) : JSON.stringify(randomValue());
  };
  const query = () => {
    const params = ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "resourceVersionMatch", "timeoutSeconds", "watch", "allowWatchBookmarks", "dryRun", "fieldManager", "fieldValidation", "propagationPolicy", "gracePeriodSeconds", "includeObject", "force", "sendInitialEvents"];
    const n = Math.floor(r() * 4);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      const p = pick(params);
      // A watch that would stay open is not what this test is about: keep it short when it parses.
      const v = p === "timeoutSeconds" ? pick(["1", "abc", "-1", ""]) : p === "watch" ? pick(["false", "maybe", ""]) : junk();
      parts.push(`${p}=${encodeURIComponent(v)}`);
    }
    return parts.length ? `?${parts.join("&")}` : "";
  };
  return (): Req => {
    const method = pick(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
    // Mostly real paths, so bodies and queries reach the handlers; the rest probe the router.
    const real = r() < 0.8;
    const res = real ? pick(["clusterprofiles", "works", "placementdecisions"]) : pick(resources);
    const ns = real ? "default" : pick(["default", "", "Bad_NS", "%2e%2e", "a".repeat(70)]);
    const name = real ? pick(["ok", "ok", "missing"]) : pick(["", "ok", "missing", junk()]);
    let path = real
      ? pick([`${G}/namespaces/${ns}/${res}/${name}`, `${G}/namespaces/${ns}/${res}`, `${G}/namespaces/${ns}/${res}/${name}/status`, `${G}/${res}`])
      : pick([
      `${G}/namespaces/${ns}/${res}/${encodeURIComponent(name)}`,
      `${G}/namespaces/${ns}/${res}`,
      `${G}/${res}`,
      `${G}/namespaces/${ns}/${res}/${encodeURIComponent(name)}/status`,
      `${G}/namespaces/${ns}/${res}/${encodeURIComponent(name)}/status/extra`,
      `/apis/multicluster.x-k8s.io/v9/${res}`,
      `/apis/other.io/v1/${res}`,
      pick(["/", "/apis", "/apis/", "/openapi/v2", "/openapi/v3/nope", "//apis", "/APIS", "/api/v1/pods", "/metrics/x", "/readyz/nope"]),
      ]);
    path += query();
    const headers: Record<string, string> = { "x-remote-user": "admin", "x-remote-group": "system:masters" };
    if (r() < 0.3) headers.accept = pick(["application/json;as=Table;v=v1;g=meta.k8s.io", "application/json;as=Table;v=v9;g=meta.k8s.io", "application/vnd.kubernetes.protobuf", "text/html", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io", "*/*;q=0", "garbage;;;", "application/yaml"]);
    let body: string | undefined;
    if (method === "POST" || method === "PUT") {
      headers["content-type"] = pick(["application/json", "application/json", "application/yaml", "text/plain", "application/strategic-merge-patch+json", ""]);
      body = objectBody();
    } else if (method === "PATCH") {
      const type = pick(["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml", "application/strategic-merge-patch+json", "application/json", "text/plain"]);
      headers["content-type"] = type;
      body = patchBody(type);
    } else if (method === "DELETE" && r() < 0.5) {
      headers["content-type"] = "application/json";
      body = pick(["{", "[]", JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: "nope" } }), JSON.stringify({ propagationPolicy: "Sideways" }), JSON.stringify(randomValue())]);
    }
    return { method, path, headers, ...(body !== undefined ? { body } : {}) };
  };
}

function send(req: Req): Promise<{ status: number; body: string; contentType: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": req.method, ":path": req.path, ...req.headers }, { endStream: req.body === undefined });
    stream.setTimeout(20_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    let status = 0;
    let contentType = "";
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      contentType = String(h["content-type"] ?? "");
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve({ status, body: Buffer.concat(chunks).toString("utf8"), contentType }));
    stream.on("error", reject);
    if (req.body !== undefined) stream.end(req.body);
  });
}

describe("fuzz", () => {
  it(`answers ${TOTAL} malformed requests with no 5xx and a Status for every failure`, async () => {
    const next = generator(20261124);
    const bad: string[] = [];
    const codes = new Map<number, number>();
    let inFlight: Promise<void>[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const req = next();
      inFlight.push(
        send(req).then(({ status, body, contentType }) => {
          codes.set(status, (codes.get(status) ?? 0) + 1);
          const where = `${req.method} ${req.path} (${req.headers["content-type"] ?? ""}) → ${status}: ${body.slice(0, 200)}`;
          if (status >= 500 || status === 0) bad.push(where);
          else if (status >= 400 && req.method !== "HEAD" && !req.path.startsWith("/readyz") && !req.path.startsWith("/metrics")) {
            try {
              const s = JSON.parse(body) as { kind?: string; code?: number; reason?: string };
              if (s.kind !== "Status" || s.code !== status || !s.reason) bad.push(`not a fitting Status: ${where}`);
            } catch {
              bad.push(`not JSON (${contentType}): ${where}`);
            }
          }
        }),
      );
      if (inFlight.length >= 50) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    console.log("fuzz status codes", JSON.stringify([...codes.entries()].sort()));
    expect(bad.slice(0, 20)).toEqual([]);
    // The server is still alive and serving.
    const health = await send({ method: "GET", path: "/healthz", headers: {} });
    expect(health.status).toBe(200);
    expect(cs.server.running()).toBe(true);
    // The generator really produced failures of many kinds.
    expect([...codes.keys()].filter((c) => c >= 400).length).toBeGreaterThanOrEqual(6);
  }, 600_000);
});
