/**
 * The fuzz suite's requests (test/e2e/fuzz.test.ts), seeded so a failure replays: `generator` mixes random
 * bodies, patches, selectors, paths, query values and headers; `hostile` adds the shapes that broke servers
 * before — deep JSON, malformed list/watch parameters on every verb, path segments kube refuses, over-long
 * URLs and headers, YAML alias bombs, patches aimed at metadata itself — and real watches.
 */
const G = "/apis/multicluster.x-k8s.io/v1alpha1";

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** A request that may stay open (a watch): cancelled by the sender after this long. */
  watchMs?: number;
}

export function generator(seed: number) {
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

const ADMIN = { "x-remote-user": "admin", "x-remote-group": "system:masters" };
const PD = `${G}/namespaces/default/placementdecisions`;

/** A PlacementDecision body, valid unless the caller spoils it. */
const pdBody = (name: string) => ({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name }, schedulerName: "s", decisions: [] });

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` deep, as the value of a field of a valid object. */
function deepJson(depth: number, kind: "array" | "object"): string {
  const inner = kind === "array" ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  return JSON.stringify(pdBody("deep")).replace('"schedulerName":"s"', `"schedulerName":"s","extra":${inner}`);
}

/** A YAML alias bomb: each level refers to the one below ten times (10^levels nodes when expanded). */
function yamlBomb(levels: number): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(",")}]`);
  return `apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: PlacementDecision\nmetadata:\n  name: bomb\nschedulerName: s\ndecisions: []\n${lines.join("\n")}\nextra: *a${levels}\n`;
}

/**
 * The hostile shapes, one request each. `watchMs` marks a request that may stay open (a watch): the sender
 * cancels it after that long and counts a clean cancel as answered.
 */
export function hostile(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const badValue: Record<string, readonly string[]> = {
    resourceVersion: ["abc", "-1", "1.5", "99999999999999999999999", "0x10", " 1", "1 ", "%00"],
    resourceVersionMatch: ["Bogus", "exact", "", "NotOlderThan,Exact"],
    limit: ["-1", "abc", "1e3", "99999999999999999999999", "0x10", "1.5"],
    continue: ["abc", "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ", "%zz", "=", "a".repeat(5000)],
    timeoutSeconds: ["abc", "-1", "1.5", "99999999999999999999999", "1e3"],
  };
  const malformedQuery = () => {
    const p = pick(Object.keys(badValue));
    const extra = pick(["", "&resourceVersion=5", "&resourceVersionMatch=NotOlderThan&resourceVersion=1", "&limit=2"]);
    return `${p}=${encodeURIComponent(pick(badValue[p]!))}${extra}`;
  };
  const shapes: Array<() => Req> = [
    () => ({ method: "POST", path: PD, headers: { ...ADMIN, "content-type": "application/json" }, body: deepJson(pick([64, 1_000, 10_001, 100_000]), pick(["array", "object"])) }),
    () => ({ method: "PUT", path: `${PD}/deep`, headers: { ...ADMIN, "content-type": "application/json" }, body: deepJson(pick([10_001, 100_000]), pick(["array", "object"])) }),
    () => ({ method: "PATCH", path: `${PD}/ok`, headers: { ...ADMIN, "content-type": "application/merge-patch+json" }, body: "[".repeat(pick([10_001, 200_000])) + "]".repeat(10) }),
    () => ({ method: pick(["GET", "DELETE"]), path: `${PD}${pick(["", "/ok"])}?${malformedQuery()}`, headers: ADMIN }),
    () => ({ method: pick(["POST", "PUT", "PATCH"]), path: `${PD}${pick(["", "/ok"])}?${malformedQuery()}`, headers: { ...ADMIN, "content-type": "application/merge-patch+json" }, body: JSON.stringify(pdBody("ok")) }),
    // Real watches: bounded by the server's timeoutSeconds when it parses, else by the sender.
    () => ({ method: "GET", path: `${PD}?watch=1&timeoutSeconds=1&${malformedQuery()}`, headers: ADMIN, watchMs: 3_000 }),
    () => ({ method: "GET", path: `${PD}?watch=1&${pick(["allowWatchBookmarks=true&", "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&", ""])}timeoutSeconds=${pick(["1", "2"])}`, headers: ADMIN, watchMs: 4_000 }),
    () => ({ method: "GET", path: `${G}/namespaces/${pick(["a%2Fb", "..", ".", "%2e%2e", "", "a%00b"])}/placementdecisions${pick(["", "/ok"])}`, headers: ADMIN }),
    () => ({ method: pick(["GET", "PUT", "DELETE"]), path: `${PD}/${pick(["a%2Fb", "..", ".", "%2e%2e", "", "a%5Cb", "ok%2F..%2Fx"])}`, headers: { ...ADMIN, "content-type": "application/json" }, body: JSON.stringify(pdBody("ok")) }),
    () => ({ method: "GET", path: `${G}/namespaces/default//placementdecisions`, headers: ADMIN }),
    () => ({ method: "GET", path: `${PD}/${"a".repeat(pick([300, 8_000, 60_000]))}`, headers: ADMIN }),
    () => ({ method: "GET", path: `${PD}?labelSelector=${"a".repeat(pick([8_000, 60_000]))}`, headers: ADMIN }),
    () => ({ method: "GET", path: PD, headers: { ...ADMIN, "x-long": "a".repeat(pick([8_000, 30_000])) } }),
    () => ({ method: "PATCH", path: `${PD}/bomb?fieldManager=fuzz`, headers: { ...ADMIN, "content-type": "application/apply-patch+yaml" }, body: yamlBomb(pick([3, 6, 9])) }),
    () => ({ method: "POST", path: PD, headers: { ...ADMIN, "content-type": "application/yaml" }, body: yamlBomb(pick([6, 9])) }),
    () => ({
      method: "PATCH",
      path: `${PD}/ok`,
      headers: { ...ADMIN, "content-type": "application/json-patch+json" },
      body: JSON.stringify(
        pick([
          [{ op: "replace", path: "/metadata", value: "x" }],
          [{ op: "remove", path: "/metadata" }],
          [{ op: "replace", path: "/metadata", value: null }],
          [{ op: "add", path: "/metadata", value: [] }],
          [{ op: "move", from: "/metadata", path: "/metadata/labels/x" }],
          [{ op: "move", from: "/decisions", path: "/decisions/0" }],
          [{ op: "copy", from: "/metadata", path: "/metadata/annotations/x" }],
          [{ op: "replace", path: "", value: 1 }],
          [{ op: "remove", path: "" }],
        ]),
      ),
    }),
    () => ({ method: "PATCH", path: `${PD}/ok`, headers: { ...ADMIN, "content-type": "application/merge-patch+json" }, body: pick(['{"metadata":"x"}', '{"metadata":null}', '{"metadata":[]}', '{"metadata":{"name":null}}', '{"metadata":{"labels":"x"}}', '"x"', "1"]) }),
  ];
  return (): Req => pick(shapes)();
}
