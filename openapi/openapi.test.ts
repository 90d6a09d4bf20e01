import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { descriptors, works } from "../resources/descriptors.js";
import { buildOpenAPI, PATCH_TYPES } from "./index.js";
import { toValidOperationID } from "./names.js";
import { toV2Schema } from "./resource-schemas.js";

type Json = Record<string, any>;

const docs = buildOpenAPI(descriptors);
const v2: Json = JSON.parse(docs.v2.body.toString());
const GV = "apis/multicluster.x-k8s.io/v1alpha1";
const v3entry = docs.v3.get(GV)!;
const v3: Json = JSON.parse(v3entry.body.toString());

const METHODS = ["get", "put", "post", "delete", "patch"] as const;
const operations = (doc: Json) =>
  Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m] as Json, item: item as Json })),
  );

/** Every "$ref" value anywhere in a document. */
function refs(x: unknown, out: string[] = []): string[] {
  if (Array.isArray(x)) for (const v of x) refs(v, out);
  else if (x && typeof x === "object") {
    for (const [k, v] of Object.entries(x)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolve(doc: Json, ref: string): unknown {
  expect(ref.startsWith("#/")).toBe(true);
  return ref
    .slice(2)
    .split("/")
    .reduce<unknown>((cur, seg) => (cur && typeof cur === "object" ? (cur as Json)[seg.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined), doc);
}

const CP = "io.x-k8s.multicluster.v1alpha1.ClusterProfile";
const NS_CP = "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/{namespace}/clusterprofiles";

describe("serialization", () => {
  it("bodies are JSON with quoted ETags; v3 hash is the upper-case sha512 of the body", () => {
    expect(docs.v2.etag).toMatch(/^"[0-9A-F]+"$/);
    expect(v3entry.hash).toBe(createHash("sha512").update(v3entry.body).digest("hex").toUpperCase());
    expect(v3entry.etag).toBe(`"${v3entry.hash}"`);
  });

  it("the v3 index points at the document with its hash", () => {
    const expected = { paths: { [GV]: { serverRelativeURL: `/openapi/v3/${GV}?hash=${v3entry.hash}` } } };
    expect(JSON.parse(docs.v3Index.toString())).toEqual(expected);
    expect(docs.v3IndexDocument).toEqual(expected);
    expect([...docs.v3.keys()]).toEqual([GV]);
  });

  it("is deterministic", () => {
    const again = buildOpenAPI(descriptors);
    expect(again.v2.etag).toBe(docs.v2.etag);
    expect(again.v3.get(GV)!.hash).toBe(v3entry.hash);
  });
});

describe("v2", () => {
  it("has the Swagger 2.0 shape", () => {
    expect(v2.swagger).toBe("2.0");
    expect(v2.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(v2.securityDefinitions.BearerToken).toMatchObject({ type: "apiKey", in: "header", name: "authorization" });
  });

  it("defines every kind, its list and the meta types", () => {
    for (const name of [
      CP,
      `${CP}List`,
      "io.x-k8s.multicluster.v1alpha1.Work",
      "io.x-k8s.multicluster.v1alpha1.WorkList",
      "io.x-k8s.multicluster.v1alpha1.PlacementDecision",
      "io.x-k8s.multicluster.v1alpha1.PlacementDecisionList",
      ...["ObjectMeta", "ListMeta", "Status", "DeleteOptions", "Patch", "WatchEvent", "ManagedFieldsEntry", "OwnerReference", "Time"].map(
        (t) => `io.k8s.apimachinery.pkg.apis.meta.v1.${t}`,
      ),
    ]) {
      expect(v2.definitions[name], name).toBeDefined();
    }
  });

  it("definitions carry the GVK as a list, operations as a single map", () => {
    expect(v2.definitions[CP]["x-kubernetes-group-version-kind"]).toEqual([
      { group: "multicluster.x-k8s.io", kind: "ClusterProfile", version: "v1alpha1" },
    ]);
    expect(v2.definitions[`${CP}List`]["x-kubernetes-group-version-kind"]).toEqual([
      { group: "multicluster.x-k8s.io", kind: "ClusterProfileList", version: "v1alpha1" },
    ]);
    for (const { op } of operations(v2)) {
      const gvk = op["x-kubernetes-group-version-kind"];
      expect(Array.isArray(gvk)).toBe(false);
      expect(gvk).toMatchObject({ group: "multicluster.x-k8s.io", version: "v1alpha1" });
      expect(op["x-kubernetes-action"]).toMatch(/^(list|post|deletecollection|get|put|delete|patch)$/);
    }
  });

  it("lists the operations of every resource, namespaced and across namespaces", () => {
    const ops = Object.fromEntries(operations(v2).map(({ path, method, op }) => [`${method} ${path}`, [op.operationId, op["x-kubernetes-action"]]]));
    expect(ops).toMatchObject({
      "get /apis/multicluster.x-k8s.io/v1alpha1/clusterprofiles": ["listMulticlusterXK8sIoV1alpha1ClusterProfileForAllNamespaces", "list"],
      [`get ${NS_CP}`]: ["listMulticlusterXK8sIoV1alpha1NamespacedClusterProfile", "list"],
      [`post ${NS_CP}`]: ["createMulticlusterXK8sIoV1alpha1NamespacedClusterProfile", "post"],
      [`delete ${NS_CP}`]: ["deleteMulticlusterXK8sIoV1alpha1CollectionNamespacedClusterProfile", "deletecollection"],
      [`get ${NS_CP}/{name}`]: ["readMulticlusterXK8sIoV1alpha1NamespacedClusterProfile", "get"],
      [`put ${NS_CP}/{name}`]: ["replaceMulticlusterXK8sIoV1alpha1NamespacedClusterProfile", "put"],
      [`patch ${NS_CP}/{name}`]: ["patchMulticlusterXK8sIoV1alpha1NamespacedClusterProfile", "patch"],
      [`delete ${NS_CP}/{name}`]: ["deleteMulticlusterXK8sIoV1alpha1NamespacedClusterProfile", "delete"],
      [`get ${NS_CP}/{name}/status`]: ["readMulticlusterXK8sIoV1alpha1NamespacedClusterProfileStatus", "get"],
      [`put ${NS_CP}/{name}/status`]: ["replaceMulticlusterXK8sIoV1alpha1NamespacedClusterProfileStatus", "put"],
      [`patch ${NS_CP}/{name}/status`]: ["patchMulticlusterXK8sIoV1alpha1NamespacedClusterProfileStatus", "patch"],
      "get /apis/multicluster.x-k8s.io/v1alpha1/namespaces/{namespace}/works/{name}/status": expect.any(Array),
      "get /apis/multicluster.x-k8s.io/v1alpha1/placementdecisions": expect.any(Array),
    });
    // PlacementDecision has no status subresource.
    expect(v2.paths["/apis/multicluster.x-k8s.io/v1alpha1/namespaces/{namespace}/placementdecisions/{name}/status"]).toBeUndefined();
    expect(Object.keys(v2.paths)).toHaveLength(11);
    const ids = operations(v2).map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("list operations take watch parameters and stream watch events", () => {
    const list = v2.paths[NS_CP].get;
    const names = list.parameters.map((p: Json) => p.name);
    expect(names).toEqual(expect.arrayContaining(["watch", "resourceVersion", "allowWatchBookmarks", "labelSelector", "fieldSelector", "limit", "continue", "timeoutSeconds", "sendInitialEvents", "resourceVersionMatch"]));
    expect(list.produces).toContain("application/json;stream=watch");
    expect(v2.paths[NS_CP].parameters.map((p: Json) => [p.name, p.in])).toEqual([["namespace", "path"], ["pretty", "query"]]);
  });

  it("PATCH consumes exactly the patch types we accept, never strategic merge, and takes the write options", () => {
    const patches = operations(v2).filter((o) => o.method === "patch");
    expect(patches).toHaveLength(5);
    for (const { op } of patches) {
      expect(op.consumes).toEqual(PATCH_TYPES);
      expect(op.consumes).not.toContain("application/strategic-merge-patch+json");
      expect(op.parameters.map((p: Json) => p.name)).toEqual(["body", "dryRun", "fieldManager", "fieldValidation", "force"]);
      expect(op.parameters[0]).toMatchObject({ in: "body", required: true, schema: { $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" } });
    }
    expect(docs.v2.body.toString()).not.toContain("strategic-merge-patch");
  });

  it("writes take dryRun and fieldValidation", () => {
    for (const { op } of operations(v2).filter((o) => o.method === "post" || o.method === "put")) {
      expect(op.parameters.map((p: Json) => p.name)).toEqual(["body", "dryRun", "fieldManager", "fieldValidation"]);
    }
  });

  it("the kind's schema is the CRD's with metadata as ObjectMeta", () => {
    const cp = v2.definitions[CP];
    expect(cp.properties.metadata.$ref).toBe("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    expect(cp.required).toEqual(["spec"]);
    expect(cp.properties.spec.properties.clusterManager.required).toEqual(["name"]);
    expect(cp.properties.status.properties.conditions.items.properties.status.enum).toEqual(["True", "False", "Unknown"]);
    expect(JSON.stringify(v2.definitions)).not.toContain("x-kubernetes-validations");
  });

  it("every $ref resolves inside the document", () => {
    const all = refs(v2);
    expect(all.length).toBeGreaterThan(50);
    for (const r of new Set(all)) expect(resolve(v2, r), r).toBeDefined();
  });
});

describe("v3", () => {
  it("has the OpenAPI 3.0 shape with the same schema names", () => {
    expect(v3.openapi).toBe("3.0.0");
    expect(Object.keys(v3.components.schemas).sort()).toEqual(Object.keys(v2.definitions).sort());
    expect(v3.components.securitySchemes.BearerToken).toMatchObject({ type: "apiKey" });
    expect(Object.keys(v3.paths).sort()).toEqual(Object.keys(v2.paths).sort());
  });

  it("PATCH request bodies list the patch types we accept, never strategic merge", () => {
    const patches = operations(v3).filter((o) => o.method === "patch");
    expect(patches).toHaveLength(5);
    for (const { op } of patches) {
      expect(Object.keys(op.requestBody.content)).toEqual(PATCH_TYPES);
      expect(op.requestBody.required).toBe(true);
      expect(op.parameters.map((p: Json) => p.name)).toEqual(["dryRun", "fieldManager", "fieldValidation", "force"]);
    }
    expect(v3entry.body.toString()).not.toContain("strategic-merge-patch");
  });

  it("GVK extension: list on schemas, map on operations", () => {
    expect(v3.components.schemas[CP]["x-kubernetes-group-version-kind"]).toEqual([
      { group: "multicluster.x-k8s.io", kind: "ClusterProfile", version: "v1alpha1" },
    ]);
    for (const { op } of operations(v3)) expect(Array.isArray(op["x-kubernetes-group-version-kind"])).toBe(false);
  });

  it("references carry no siblings (wrapped in allOf) and all resolve", () => {
    const meta = v3.components.schemas[CP].properties.metadata;
    expect(meta).toEqual({
      description: expect.stringContaining("Standard object's metadata"),
      allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }],
    });
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === "object") {
        if ("$ref" in x) expect(Object.keys(x)).toEqual(["$ref"]);
        Object.values(x).forEach(walk);
      }
    };
    walk(v3);
    for (const r of new Set(refs(v3))) expect(resolve(v3, r), r).toBeDefined();
  });

  it("embedded resources show apiVersion, kind and metadata (v3 only)", () => {
    const item = (doc: Json, defs: string) => doc[defs]["io.x-k8s.multicluster.v1alpha1.Work"].properties.spec.properties.workload.properties.manifests.items;
    const m3 = item(v3.components, "schemas");
    expect(Object.keys(m3.properties)).toEqual(["apiVersion", "kind", "metadata"]);
    expect(m3.required).toEqual(["kind", "apiVersion"]);
    expect(m3["x-kubernetes-preserve-unknown-fields"]).toBe(true);
    const m2 = item(v2, "definitions");
    expect(m2.properties).toBeUndefined();
  });

  it("keeps CEL rules for explain", () => {
    expect(v3.components.schemas[CP].properties.spec.properties.clusterManager["x-kubernetes-validations"]).toEqual([
      { message: "ClusterManager is immutable", rule: "self == oldSelf" },
    ]);
  });
});

describe("helpers", () => {
  it("operation ids fold the group like kube-apiserver", () => {
    expect(toValidOperationID("multicluster.x-k8s.io", true)).toBe("MulticlusterXK8sIo");
    expect(toValidOperationID("v1alpha1", true)).toBe("V1alpha1");
  });

  it("v2 conversion: nullable and preserve-unknown-fields lose what kubectl's v2 reader cannot take", () => {
    const out = toV2Schema({
      type: "object",
      required: ["a", "b"],
      properties: {
        a: { type: "string", nullable: true },
        b: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { c: { type: "string" } } },
        c: { anyOf: [{ type: "integer" }, { type: "string" }], "x-kubernetes-int-or-string": true },
      },
    });
    expect(out).toEqual({
      type: "object",
      required: ["b"],
      properties: {
        a: { "x-nullable": true },
        b: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        c: { "x-kubernetes-int-or-string": true },
      },
    });
  });

  it("builds from any subset of resources", () => {
    const only = buildOpenAPI([works]);
    const doc = JSON.parse(only.v2.body.toString());
    expect(Object.keys(doc.paths).every((p) => p.includes("/works"))).toBe(true);
    for (const r of new Set(refs(doc))) expect(resolve(doc, r), r).toBeDefined();
  });
});
