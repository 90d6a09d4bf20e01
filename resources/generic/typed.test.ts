import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../storage/interface.js";
import { clusterProfiles, works } from "../descriptors.js";
import { ApplyConflicts, FieldManager } from "./field-manager.js";
import { fieldType, rootType, type FieldType } from "./field-types.js";
import { pathString } from "./fieldpath.js";
import { LAST_APPLIED } from "./last-applied.js";
import { merge } from "./merge.js";
import { compare, removeItems, toFieldSet } from "./typed.js";
import { FieldSet } from "./fieldset.js";

const cp = rootType(clusterProfiles.schema);
const at = (t: FieldType, ...names: string[]): FieldType => names.reduce((x, n) => fieldType(x, n)!, t);
const paths = (s: FieldSet) => s.paths().map(pathString);

describe("types from the CRD schemas", () => {
  it("read list-type map keys, sets on metadata, atomic lists by default, ObjectMeta for metadata", () => {
    expect(at(cp, "status", "conditions")).toMatchObject({ kind: "list", listType: "map", keys: ["type"] });
    expect(at(cp, "status", "properties")).toMatchObject({ kind: "list", listType: "map", keys: ["name"] });
    expect(at(cp, "metadata", "finalizers")).toMatchObject({ kind: "list", listType: "set" });
    expect(at(cp, "metadata", "labels")).toMatchObject({ kind: "map" });
    const w = rootType(works.schema);
    expect(at(w, "spec", "workload", "manifests")).toEqual({ kind: "leaf" });
    expect(at(w, "status", "conditions")).toEqual({ kind: "leaf" });
  });
});

describe("typed walks", () => {
  it("ToFieldSet names leaves, list items and map entries, not the struct fields holding them", () => {
    const v = { metadata: { name: "p", labels: { a: "1" }, finalizers: ["f"] }, spec: { clusterManager: { name: "m" } }, status: { conditions: [{ type: "A", status: "True" }] } };
    expect(paths(toFieldSet(v, cp))).toEqual([
      ".metadata.name",
      ".metadata.finalizers[=\"f\"]",
      ".metadata.labels.a",
      ".spec.clusterManager.name",
      '.status.conditions[type="A"]',
      '.status.conditions[type="A"].status',
      '.status.conditions[type="A"].type',
    ]);
  });

  it("ToFieldSet owns nothing through an empty or null struct field", () => {
    expect(toFieldSet({ spec: {}, status: null }, cp).isEmpty()).toBe(true);
  });

  it("Compare names added and removed subtrees at every level and modified leaves", () => {
    const c = compare({ spec: { displayName: "a" }, metadata: { labels: { x: "1" } } }, { spec: { displayName: "b", clusterManager: { name: "m" } } }, cp);
    expect(paths(c.modified)).toEqual([".spec.displayName"]);
    expect(paths(c.added)).toEqual([".spec.clusterManager", ".spec.clusterManager.name"]);
    expect(paths(c.removed)).toEqual([".metadata", ".metadata.labels", ".metadata.labels.x"]);
  });

  it("merges keyed lists in the configuration's order, keeping live-only items in place", () => {
    const t = at(cp, "status", "conditions");
    const live = [{ type: "A", status: "1" }, { type: "B", status: "1" }, { type: "C", status: "1" }];
    expect(merge(live, [{ type: "C", status: "2" }, { type: "A", status: "2" }, { type: "D" }], t)).toEqual([
      { type: "B", status: "1" },
      { type: "C", status: "2" },
      { type: "A", status: "2" },
      { type: "D" },
    ]);
    // Atomic lists are replaced, null does not wipe an object.
    expect(merge({ a: [1, 2] }, { a: [3] }, { kind: "untyped" })).toEqual({ a: [3] });
    expect(merge({ spec: { displayName: "x" } }, { spec: null }, cp)).toEqual({ spec: { displayName: "x" } });
  });

  it("RemoveItems drops members with their subtree and keeps emptied containers", () => {
    const s = FieldSet.of([{ field: "spec" }, { field: "displayName" }]);
    expect(removeItems({ spec: { displayName: "x" } }, s, cp)).toEqual({ spec: {} });
  });
});

describe("kubectl: from client-side to server-side apply", () => {
  const GV = "multicluster.x-k8s.io/v1alpha1";
  const fm = new FieldManager({ apiVersion: GV, kind: "ClusterProfile", type: cp, statusSubresource: true, now: () => "2024-05-01T10:00:00Z" });
  const obj = (displayName: string, annotations?: Record<string, string>): KubeObject => ({
    apiVersion: GV,
    kind: "ClusterProfile",
    metadata: { name: "p", ...(annotations ? { annotations } : {}) },
    spec: { clusterManager: { name: "m" }, displayName },
  });

  it("takes fields the last-applied annotation still describes, and rewrites the annotation", () => {
    const lastApplied = JSON.stringify(obj("old"));
    const live = obj("old", { [LAST_APPLIED]: lastApplied });
    live.metadata.managedFields = fm.update(undefined, live, "kubectl-client-side-apply");
    const out = fm.apply(live, obj("new"), "kubectl", false);
    expect((out.spec as Record<string, unknown>).displayName).toBe("new");
    expect(out.metadata.annotations![LAST_APPLIED]).toBe(
      '{"apiVersion":"multicluster.x-k8s.io/v1alpha1","kind":"ClusterProfile","metadata":{"name":"p"},"spec":{"clusterManager":{"name":"m"},"displayName":"new"}}\n',
    );
    // Another manager gets the conflict, and so does kubectl for a field the annotation does not vouch for.
    expect(() => fm.apply(live, obj("new"), "other", false)).toThrow(ApplyConflicts);
    const drifted = { ...structuredClone(live), spec: { clusterManager: { name: "m" }, displayName: "drifted" } };
    expect(() => fm.apply(drifted, obj("new"), "kubectl", false)).toThrow(ApplyConflicts);
  });
});
