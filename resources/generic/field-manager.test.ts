import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../storage/interface.js";
import { clusterProfiles } from "../descriptors.js";
import { applyConflictError } from "./conflicts.js";
import { ApplyConflicts, FieldManager } from "./field-manager.js";
import { rootType } from "./field-types.js";
import type { ManagedFieldsEntry } from "./managed-fields.js";

const GV = "multicluster.x-k8s.io/v1alpha1";
let clock = 0;
const times = ["2024-05-01T10:00:00Z", "2024-05-01T10:00:01Z", "2024-05-01T10:00:02Z", "2024-05-01T10:00:03Z"];

function manager(statusSubresource = true): FieldManager {
  clock = 0;
  return new FieldManager({
    apiVersion: GV,
    kind: "ClusterProfile",
    type: rootType(clusterProfiles.schema),
    statusSubresource,
    now: () => times[Math.min(clock++, times.length - 1)]!,
  });
}

const profile = (spec: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: GV,
  kind: "ClusterProfile",
  metadata: { name: "p", namespace: "ns", ...(extra.metadata ?? {}) },
  spec,
  ...(extra.status ? { status: extra.status } : {}),
});

const entries = (o: KubeObject): ManagedFieldsEntry[] => (o.metadata.managedFields ?? []) as ManagedFieldsEntry[];
const byManager = (o: KubeObject, m: string) => entries(o).find((e) => e.manager === m);

function conflictOf(f: () => unknown) {
  try {
    f();
  } catch (e) {
    if (e instanceof ApplyConflicts) return applyConflictError(e.conflicts).status;
    throw e;
  }
  throw new Error("no conflict");
}

describe("update ownership", () => {
  it("a create owns what it set, with '.' on the structs that came with it, never server-set metadata", () => {
    const fm = manager();
    const obj = profile({ clusterManager: { name: "m" }, displayName: "d" }, { metadata: { labels: { a: "1" }, uid: "u", generation: 1 } });
    expect(fm.update(undefined, obj, "kubectl-create")).toEqual([
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: GV,
        time: "2024-05-01T10:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { ".": {}, "f:a": {} } },
          "f:spec": { ".": {}, "f:clusterManager": { ".": {}, "f:name": {} }, "f:displayName": {} },
        },
      },
    ]);
  });

  it("an update takes the fields it changed from their owner and releases fields that went away", () => {
    const fm = manager();
    const created = profile({ clusterManager: { name: "m" }, displayName: "d" }, { metadata: { labels: { a: "1" } } });
    created.metadata.managedFields = fm.update(undefined, created, "creator");
    const edited = structuredClone(created);
    (edited.spec as Record<string, unknown>).displayName = "e";
    delete edited.metadata.labels;
    edited.metadata.managedFields = fm.update(created, edited, "kubectl-edit");
    expect(byManager(edited, "creator")!.fieldsV1).toEqual({ "f:spec": { ".": {}, "f:clusterManager": { ".": {}, "f:name": {} } } });
    expect(byManager(edited, "kubectl-edit")).toMatchObject({ operation: "Update", time: "2024-05-01T10:00:01Z", fieldsV1: { "f:spec": { "f:displayName": {} } } });
  });

  it("an update that changes nothing leaves the entries (and their times) alone", () => {
    const fm = manager();
    const created = profile({ clusterManager: { name: "m" } });
    created.metadata.managedFields = fm.update(undefined, created, "creator");
    expect(fm.update(created, structuredClone(created), "someone-else")).toEqual(created.metadata.managedFields);
  });

  it("status changes through the main resource are nobody's; /status owns only status, under its own entry", () => {
    const fm = manager();
    const created = profile({ clusterManager: { name: "m" } }, { status: { version: { kubernetes: "1.30" } } } as Partial<KubeObject>);
    expect(JSON.stringify(fm.update(undefined, created, "c"))).not.toContain("f:status");
    const withStatus = structuredClone(created);
    (withStatus as Record<string, unknown>).status = { conditions: [{ type: "Ready", status: "True", reason: "R", message: "", lastTransitionTime: "2024-01-01T00:00:00Z" }] };
    const out = fm.update(created, withStatus, "controller", "status");
    expect(out.find((e) => e.subresource === "status")).toMatchObject({
      manager: "controller",
      fieldsV1: { "f:status": { "f:conditions": { ".": {}, 'k:{"type":"Ready"}': { ".": {}, "f:type": {}, "f:status": {}, "f:reason": {}, "f:message": {}, "f:lastTransitionTime": {} } } } },
    });
  });

  it("managedFields sent by the client count when valid, are reset by [] or [{}], and are ignored when invalid", () => {
    const fm = manager();
    const created = profile({ clusterManager: { name: "m" } });
    created.metadata.managedFields = fm.update(undefined, created, "creator");
    const reset = { ...structuredClone(created), metadata: { ...structuredClone(created.metadata), managedFields: [] } };
    expect(fm.update(created, reset, "x")).toEqual([]);
    expect(fm.update(created, { ...reset, metadata: { ...reset.metadata, managedFields: [{}] } }, "x")).toEqual([]);
    const garbage = { ...reset, metadata: { ...reset.metadata, managedFields: [{ manager: "m", operation: "Bogus" }] } };
    expect(fm.update(created, garbage, "x")).toEqual(created.metadata.managedFields);
    const edited: ManagedFieldsEntry[] = [{ manager: "other", operation: "Update", apiVersion: GV, fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:clusterManager": {} } } }];
    expect(fm.update(created, { ...reset, metadata: { ...reset.metadata, managedFields: edited } }, "x")).toEqual(edited);
  });

  it("keeps at most ten Update entries, folding the oldest into ancient-changes", () => {
    const fm = manager();
    let obj = profile({ clusterManager: { name: "m" } }, { metadata: { labels: {} } });
    for (let i = 0; i < 12; i++) {
      const next = structuredClone(obj);
      next.metadata.labels![`l${i}`] = "v";
      next.metadata.managedFields = fm.update(obj, next, `writer-${i}`);
      obj = next;
    }
    const updaters = entries(obj);
    expect(updaters).toHaveLength(10);
    expect(updaters.filter((e) => e.manager === "ancient-changes")).toHaveLength(1);
  });

  it("writes times in RFC 3339 whole seconds", () => {
    const fm = new FieldManager({ apiVersion: GV, kind: "ClusterProfile", type: rootType(clusterProfiles.schema), statusSubresource: true, now: () => new Date().toISOString().replace(/\.\d+Z$/, "Z") });
    const [e] = fm.update(undefined, profile({ clusterManager: { name: "m" } }), "c");
    expect(e!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});

describe("apply", () => {
  const config = (spec: Record<string, unknown>, extra: Partial<KubeObject> = {}) => profile(spec, extra);

  it("creates: the applier owns exactly what it applied (no '.' on structs), and the object is the config", () => {
    const fm = manager();
    const obj = fm.apply(undefined, config({ clusterManager: { name: "m" }, displayName: "d" }), "ssa", false);
    expect(obj.spec).toEqual({ clusterManager: { name: "m" }, displayName: "d" });
    expect(entries(obj)).toEqual([
      {
        manager: "ssa",
        operation: "Apply",
        apiVersion: GV,
        time: "2024-05-01T10:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:clusterManager": { "f:name": {} }, "f:displayName": {} } },
      },
    ]);
  });

  it("removes what the same applier applied before and omits now, keeping what others own", () => {
    const fm = manager();
    let obj = fm.apply(undefined, config({ clusterManager: { name: "m" }, displayName: "d" }, { metadata: { labels: { a: "1", b: "2" } } }), "ssa", false);
    const edited = structuredClone(obj);
    edited.metadata.labels!.b = "changed";
    edited.metadata.managedFields = fm.update(obj, edited, "kubectl-label");
    obj = fm.apply(edited, config({ clusterManager: { name: "m" } }), "ssa", false);
    expect(obj.spec).toEqual({ clusterManager: { name: "m" } });
    expect(obj.metadata.labels).toEqual({ b: "changed" });
    expect(byManager(obj, "ssa")!.fieldsV1).toEqual({ "f:spec": { "f:clusterManager": { "f:name": {} } } });
  });

  it("conflicts with another manager's field, naming it like kube-apiserver; force takes it over", () => {
    const fm = manager();
    const created = profile({ clusterManager: { name: "m" }, displayName: "old" });
    created.metadata.managedFields = fm.update(undefined, created, "kubectl-client-side-apply");
    const status = conflictOf(() => fm.apply(created, config({ clusterManager: { name: "m" }, displayName: "new" }), "ssa", false));
    expect(status.code).toBe(409);
    expect(status.reason).toBe("Conflict");
    expect(status.message).toBe(`Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using ${GV}: .spec.displayName`);
    expect(status.details).toEqual({ causes: [{ reason: "FieldManagerConflict", message: `conflict with "kubectl-client-side-apply" using ${GV}`, field: ".spec.displayName" }] });

    const forced = fm.apply(created, config({ clusterManager: { name: "m" }, displayName: "new" }), "ssa", true);
    expect((forced.spec as Record<string, unknown>).displayName).toBe("new");
    expect(byManager(forced, "kubectl-client-side-apply")!.fieldsV1).toEqual({ "f:spec": { ".": {}, "f:clusterManager": { ".": {}, "f:name": {} } } });
    expect(byManager(forced, "ssa")!.fieldsV1).toEqual({ "f:spec": { "f:clusterManager": { "f:name": {} }, "f:displayName": {} } });
  });

  // Set.Iterate order: at each level the members first, then what lies below.
  it("lists several conflicts by manager, and names appliers without an apiVersion", () => {
    const fm = manager();
    const a = fm.apply(undefined, config({ clusterManager: { name: "m" }, displayName: "d" }, { metadata: { labels: { x: "1" } } }), "first", false);
    const status = conflictOf(() => fm.apply(a, config({ clusterManager: { name: "m2" }, displayName: "e" }, { metadata: { labels: { x: "2" } } }), "second", false));
    expect(status.message).toBe('Apply failed with 3 conflicts: conflicts with "first":\n- .metadata.labels.x\n- .spec.displayName\n- .spec.clusterManager.name');
    expect(status.details!.causes!.map((c) => c.field)).toEqual([".metadata.labels.x", ".spec.displayName", ".spec.clusterManager.name"]);
  });

  it("shares ownership when another applier sets the same value, and only a change dates the entry", () => {
    const fm = manager();
    const a = fm.apply(undefined, config({ clusterManager: { name: "m" }, displayName: "d" }), "first", false);
    const b = fm.apply(a, config({ clusterManager: { name: "m" } }), "second", false);
    expect(b.spec).toEqual(a.spec);
    expect(byManager(b, "second")).toEqual({ manager: "second", operation: "Apply", apiVersion: GV, fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:clusterManager": { "f:name": {} } } } });
    // The first applier drops clusterManager: still owned by the second, so it stays.
    const c = fm.apply(b, config({ displayName: "d" }), "first", false);
    expect(c.spec).toEqual({ clusterManager: { name: "m" }, displayName: "d" });
  });

  it("merges status.conditions by type through /status, each applier owning its own condition", () => {
    const fm = manager();
    const cond = (type: string, status: string) => ({ type, status, reason: "R", message: "", lastTransitionTime: "2024-01-01T00:00:00Z" });
    const live = fm.apply(undefined, config({ clusterManager: { name: "m" } }), "ssa", false);
    const one = fm.apply(live, { ...config({}), status: { conditions: [cond("A", "True")] } } as KubeObject, "ctl-a", false, "status");
    const two = fm.apply(one, { ...config({}), status: { conditions: [cond("B", "False")] } } as KubeObject, "ctl-b", false, "status");
    expect((two.status as { conditions: { type: string }[] }).conditions.map((c) => c.type)).toEqual(["A", "B"]);
    expect(byManager(two, "ctl-b")).toMatchObject({ subresource: "status", fieldsV1: { "f:status": { "f:conditions": { 'k:{"type":"B"}': { ".": {}, "f:type": {}, "f:status": {}, "f:reason": {}, "f:message": {}, "f:lastTransitionTime": {} } } } } });
    // ctl-a changing B's status conflicts on that field only; ctl-a dropping A removes A.
    const status = conflictOf(() => fm.apply(two, { ...config({}), status: { conditions: [cond("B", "True")] } } as KubeObject, "ctl-a", false, "status"));
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "ctl-b": .status.conditions[type="B"].status');
    const three = fm.apply(two, { ...config({}), status: { conditions: [] } } as KubeObject, "ctl-a", false, "status");
    expect((three.status as { conditions: { type: string }[] }).conditions.map((c) => c.type)).toEqual(["B"]);
  });

  it("leaves the object alone when the configuration changes nothing", () => {
    const fm = manager();
    const a = fm.apply(undefined, config({ clusterManager: { name: "m" } }), "ssa", false);
    expect(fm.apply(a, config({ clusterManager: { name: "m" } }), "ssa", false)).toEqual(a);
  });
});
