import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../storage/interface.js";
import {
  applyOrder,
  deleteOrder,
  kindsDefinedByCRDs,
  markedBy,
  markedManifest,
  ownerOf,
  parseManifests,
  storedIdentifiers,
  toPrune,
  workTarget,
  type Identifier,
} from "./manifests.js";

const work = (manifests: unknown[], extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: "multicluster.x-k8s.io/v1alpha1",
  kind: "Work",
  metadata: { name: "w", namespace: "fleet", uid: "u-1", labels: { "clusterset.dev/cluster": "east" } },
  spec: { workload: { manifests } },
  ...extra,
});
const obj = (apiVersion: string, kind: string, name: string, namespace?: string, more: object = {}) => ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...more });
const crd = obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com", undefined, { spec: { group: "example.com", names: { kind: "Widget", plural: "widgets" } } });

describe("parseManifests and order", () => {
  it("parses group, version, kind, name, namespace; reports manifests that cannot be applied", () => {
    const { refs, bad } = parseManifests(work([obj("v1", "ConfigMap", "a", "app"), obj("apps/v1", "Deployment", "web"), { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "x-" } }, { kind: "Thing", metadata: { name: "t" } }]));
    expect(refs.map((r) => [r.ordinal, r.group, r.version, r.kind, r.name, r.namespace])).toEqual([
      [0, "", "v1", "ConfigMap", "a", "app"],
      [1, "apps", "v1", "Deployment", "web", ""],
    ]);
    expect(bad.map((b) => [b.ordinal, b.message.split(" (")[0]])).toEqual([
      [2, "no metadata.name"],
      [3, "no apiVersion"],
    ]);
  });

  it("applies Namespaces, then CRDs, then the rest in manifest order; deletes in the reverse", () => {
    const { refs } = parseManifests(work([obj("v1", "ConfigMap", "a", "app"), obj("example.com/v1", "Widget", "w", "app"), crd, obj("v1", "Namespace", "app"), obj("apps/v1", "Deployment", "web", "app")]));
    const applied = applyOrder(refs).map((r) => r.kind);
    expect(applied).toEqual(["Namespace", "CustomResourceDefinition", "ConfigMap", "Widget", "Deployment"]);
    expect(deleteOrder(refs).map((r) => r.kind)).toEqual(["Deployment", "Widget", "ConfigMap", "CustomResourceDefinition", "Namespace"]);
    expect([...kindsDefinedByCRDs(refs)]).toEqual(["example.com/Widget"]);
  });

  it("names the target member by the Work's namespace and label", () => {
    expect(workTarget(work([]))).toBe("fleet/east");
    expect(workTarget({ metadata: { name: "x", namespace: "fleet" } })).toBeUndefined();
  });
});

describe("marks", () => {
  it("adds our label and annotation, keeps the manifest's own, drops server-set metadata, defaults the namespace", () => {
    const m = obj("v1", "ConfigMap", "a", undefined, { data: { k: "v" } }) as { metadata: Record<string, unknown> };
    m.metadata.labels = { app: "x" };
    m.metadata.resourceVersion = "12";
    m.metadata.uid = "old";
    const w = work([m]);
    const body = markedManifest(parseManifests(w).refs[0]!, w, "default") as { metadata: Record<string, unknown>; data: unknown };
    expect(body.metadata).toEqual({ name: "a", namespace: "default", labels: { app: "x", "clusterset.dev/work-uid": "u-1" }, annotations: { "clusterset.dev/work": "fleet/w" } });
    expect(body.data).toEqual({ k: "v" });
    expect(markedBy(body, "u-1")).toBe(true);
    expect(markedBy(body, "u-2")).toBe(false);
    expect(markedBy(body, "")).toBe(false);
    expect(ownerOf(body)).toEqual({ key: "fleet/w", uid: "u-1" });
    // A cluster-scoped object loses a namespace it was given.
    const ns = obj("v1", "Namespace", "app", "oops");
    const wn = work([ns]);
    expect((markedManifest(parseManifests(wn).refs[0]!, wn, undefined) as { metadata: object }).metadata).not.toHaveProperty("namespace");
  });
});

describe("pruning", () => {
  const id = (ordinal: number, kind: string, name: string, namespace?: string, resource = `${kind.toLowerCase()}s`): Identifier => ({ ordinal, group: "", version: "v1", kind, resource, name, ...(namespace ? { namespace } : {}) });

  it("deletes what earlier passes applied and the Work no longer lists, whatever its ordinal or version", () => {
    const previous = [id(0, "ConfigMap", "a", "app"), id(1, "ConfigMap", "b", "app"), id(2, "Secret", "s", "app")];
    const current = [id(0, "ConfigMap", "b", "app"), { ...id(1, "Secret", "s", "app"), version: "v2" }];
    expect(toPrune(previous, current)).toEqual([previous[0]]);
  });

  it("never prunes an object a current manifest still names when discovery did not resolve it yet", () => {
    const previous = [id(0, "Widget", "w", "default", "widgets")];
    const unresolved: Identifier = { ordinal: 0, group: "", version: "v1", kind: "Widget", name: "w" };
    expect(toPrune(previous, [unresolved])).toEqual([]);
  });

  it("skips identifiers without a resource or name, and duplicates", () => {
    const previous = [id(0, "ConfigMap", "a", "app"), id(3, "ConfigMap", "a", "app"), { ordinal: 1, group: "", version: "v1", kind: "Nope", name: "x" }];
    expect(toPrune(previous, [])).toEqual([previous[0]]);
  });

  it("reads candidates from the stored status (any Applied state: an earlier pass may have applied it)", () => {
    const w = work([], {
      status: {
        conditions: [],
        manifestConditions: [
          { identifier: id(0, "ConfigMap", "a", "app"), conditions: [{ type: "Applied", status: "False" }] },
          { identifier: { ordinal: 1, group: "example.com", version: "v1", kind: "Widget", name: "w" }, conditions: [] },
        ],
      },
    });
    expect(storedIdentifiers(w)).toEqual([id(0, "ConfigMap", "a", "app")]);
  });
});
