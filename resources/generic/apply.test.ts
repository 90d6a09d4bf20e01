/** Server-side apply and managedFields through the generic registry, over the store the server runs on. */
import { beforeEach, describe, expect, it } from "vitest";
import type { KubeObject, Store } from "../../storage/index.js";
import { failure, requestContext as ctx, useLevelStore } from "../../testing/registry.js";
import { clusterProfiles } from "../descriptors.js";
import { validatorFor } from "../validation.js";
import type { ManagedFieldsEntry } from "./managed-fields.js";
import { Registry } from "./registry.js";
import { schemaStrategy } from "./schema-strategy.js";

const GV = "multicluster.x-k8s.io/v1alpha1";
const openedStore = useLevelStore();
let store: Store;
let registry: Registry;

beforeEach(() => {
  store = openedStore();
  registry = new Registry(clusterProfiles, { definitions: [], cells: () => [] }, store, schemaStrategy(validatorFor("ClusterProfile"), true));
});

const profile = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: GV,
  kind: "ClusterProfile",
  metadata: { name: "p", ...metadata },
  spec,
});

const entries = (o: KubeObject): ManagedFieldsEntry[] => (o.metadata.managedFields ?? []) as ManagedFieldsEntry[];

describe("managedFields on create and update", () => {
  it("names the writer after the User-Agent's first segment unless fieldManager is given", async () => {
    const created = await registry.create(ctx({ userAgent: "kubectl-create/v1.30.0 (linux/amd64) kubernetes/abc" }), profile({ clusterManager: { name: "m" } }));
    expect(entries(created)).toEqual([
      expect.objectContaining({ manager: "kubectl-create", operation: "Update", apiVersion: GV, fieldsType: "FieldsV1", fieldsV1: { "f:spec": { ".": {}, "f:clusterManager": { ".": {}, "f:name": {} } } } }),
    ]);
    expect(entries(created)[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const { object } = await registry.patch(ctx({ userAgent: "kubectl-label/v1.30.0", fieldManager: "labeller" }), "p", "merge", { metadata: { labels: { a: "1" } } });
    expect(entries(object).map((e) => e.manager)).toEqual(["kubectl-create", "labeller"]);
    expect(entries(object)[1]!.fieldsV1).toEqual({ "f:metadata": { "f:labels": { ".": {}, "f:a": {} } } });
  });

  it("PUT takes what it changed; /status writes are recorded with subresource status", async () => {
    const created = await registry.create(ctx({ fieldManager: "creator" }), profile({ clusterManager: { name: "m" }, displayName: "d" }));
    const body = structuredClone(created) as KubeObject;
    (body.spec as Record<string, unknown>).displayName = "e";
    const { object } = await registry.update(ctx({ userAgent: "kubectl-edit/v1.30" }), "p", body);
    expect(entries(object).find((e) => e.manager === "kubectl-edit")!.fieldsV1).toEqual({ "f:spec": { "f:displayName": {} } });

    const withStatus = { ...structuredClone(object), status: { version: { kubernetes: "1.30" } } } as KubeObject;
    const { object: s } = await registry.update(ctx({ fieldManager: "agent" }), "p", withStatus, "status");
    expect(entries(s).find((e) => e.manager === "agent")).toMatchObject({ subresource: "status", fieldsV1: { "f:status": { ".": {}, "f:version": { ".": {}, "f:kubernetes": {} } } } });
  });

  it("clears managedFields on a reset ([]) and leaves the object untracked by updates until an apply", async () => {
    await registry.create(ctx({ fieldManager: "creator" }), profile({ clusterManager: { name: "m" }, displayName: "d" }));
    const { object: reset } = await registry.patch(ctx({ fieldManager: "resetter" }), "p", "merge", { metadata: { managedFields: [], labels: { a: "1" } } });
    expect(reset.metadata.managedFields).toBeUndefined();
    const { object: labelled } = await registry.patch(ctx({ fieldManager: "labeller" }), "p", "merge", { metadata: { labels: { b: "2" } } });
    expect(labelled.metadata.managedFields).toBeUndefined();
    const status = await failure(registry.patch(ctx({ fieldManager: "ssa" }), "p", "apply", profile({ clusterManager: { name: "m" }, displayName: "new" })));
    expect(status.message).toBe(`Apply failed with 1 conflict: conflict with "before-first-apply" using ${GV}: .spec.displayName`);
    const { object } = await registry.patch(ctx({ fieldManager: "ssa" }), "p", "apply", profile({ clusterManager: { name: "m" }, displayName: "d" }));
    expect(entries(object).map((e) => [e.manager, e.operation])).toEqual([
      ["ssa", "Apply"],
      ["before-first-apply", "Update"],
    ]);
  });

  it("refuses an over-long fieldManager with kube's CreateOptions wording", async () => {
    const status = await failure(registry.create(ctx({ fieldManager: "x".repeat(129) }), profile({ clusterManager: { name: "m" } })));
    expect(status).toMatchObject({ code: 422, reason: "Invalid", message: 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: must have at most 128 bytes' });
    expect(status.details).toEqual({ group: "meta.k8s.io", kind: "CreateOptions", causes: [{ reason: "FieldValueTooLong", message: "Too long: must have at most 128 bytes", field: "fieldManager" }] });
  });
});

describe("server-side apply", () => {
  const apply = (config: unknown, fieldManager: string | undefined, opts: { force?: boolean; sub?: string } = {}) =>
    registry.patch(ctx(fieldManager ? { fieldManager } : {}), "p", "apply", config, opts.sub, opts.force);

  it("creates a missing object (201) owned by the applier", async () => {
    const { object, created } = await apply(profile({ clusterManager: { name: "m" }, displayName: "d" }), "ssa");
    expect(created).toBe(true);
    expect(object.metadata).toMatchObject({ name: "p", namespace: "ns", generation: 1, resourceVersion: String(await store.currentRevision()) });
    expect(object.metadata.uid).toBeTruthy();
    expect(entries(object)).toEqual([expect.objectContaining({ manager: "ssa", operation: "Apply", fieldsV1: { "f:spec": { "f:clusterManager": { "f:name": {} }, "f:displayName": {} } } })]);
    expect(entries(object)[0]).not.toHaveProperty("subresource");
  });

  it("updates (200), removing a field the same applier omits now, and bumps generation", async () => {
    await apply(profile({ clusterManager: { name: "m" }, displayName: "d" }), "ssa");
    const { object, created } = await apply(profile({ clusterManager: { name: "m" } }), "ssa");
    expect(created).toBe(false);
    expect(object.spec).toEqual({ clusterManager: { name: "m" } });
    expect(object.metadata.generation).toBe(2);
  });

  it("does not write when nothing changes", async () => {
    const first = await apply(profile({ clusterManager: { name: "m" } }), "ssa");
    const before = await store.currentRevision();
    const { object } = await apply(profile({ clusterManager: { name: "m" } }), "ssa");
    expect(await store.currentRevision()).toBe(before);
    expect(object.metadata.resourceVersion).toBe(first.object.metadata.resourceVersion);
  });

  it("answers 409 with kube's message and causes when another manager owns the field, and force takes it", async () => {
    await registry.create(ctx({ fieldManager: "kubectl-client-side-apply" }), profile({ clusterManager: { name: "m" }, displayName: "old" }));
    const status = await failure(apply(profile({ clusterManager: { name: "m" }, displayName: "new" }), "ssa"));
    expect(status).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using ${GV}: .spec.displayName`,
      reason: "Conflict",
      details: { causes: [{ reason: "FieldManagerConflict", message: `conflict with "kubectl-client-side-apply" using ${GV}`, field: ".spec.displayName" }] },
      code: 409,
    });
    const { object } = await apply(profile({ clusterManager: { name: "m" }, displayName: "new" }), "ssa", { force: true });
    expect((object.spec as Record<string, unknown>).displayName).toBe("new");
    expect(entries(object).map((e) => [e.manager, e.operation])).toEqual([
      ["ssa", "Apply"],
      ["kubectl-client-side-apply", "Update"],
    ]);
  });

  it("shares fields two appliers set to the same value", async () => {
    await apply(profile({ clusterManager: { name: "m" }, displayName: "d" }), "a");
    const { object } = await apply(profile({ clusterManager: { name: "m" }, displayName: "d" }), "b");
    expect(entries(object).map((e) => e.manager).sort()).toEqual(["a", "b"]);
  });

  it("merges status.conditions by type through /status and ignores status through the main resource", async () => {
    await apply(profile({ clusterManager: { name: "m" } }), "ssa");
    const cond = (type: string) => ({ type, status: "True", reason: "R", message: "", lastTransitionTime: "2024-01-01T00:00:00Z" });
    const status = (type: string) => ({ apiVersion: GV, kind: "ClusterProfile", metadata: { name: "p" }, status: { conditions: [cond(type)] } });
    await apply(status("A"), "ctl-a", { sub: "status" });
    const { object } = await apply(status("B"), "ctl-b", { sub: "status" });
    expect((object.status as { conditions: { type: string }[] }).conditions.map((c) => c.type)).toEqual(["A", "B"]);
    expect(object.spec).toEqual({ clusterManager: { name: "m" } });
    const main = await apply({ ...profile({ clusterManager: { name: "m" } }), status: { conditions: [] } }, "ssa");
    expect((main.object.status as { conditions: unknown[] }).conditions).toHaveLength(2);
    expect(JSON.stringify(entries(main.object).find((e) => e.manager === "ssa"))).not.toContain("f:status");
  });

  it("/status apply cannot create", async () => {
    const status = await failure(apply({ apiVersion: GV, kind: "ClusterProfile", metadata: { name: "p" }, status: {} }, "ctl", { sub: "status" }));
    expect(status).toMatchObject({ code: 404, reason: "NotFound" });
  });

  it("requires fieldManager, and force only for apply (PatchOptions wording)", async () => {
    const missing = await failure(apply(profile({ clusterManager: { name: "m" } }), undefined));
    expect(missing).toMatchObject({ code: 422, reason: "Invalid", message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch' });
    expect(missing.details!.causes).toEqual([{ reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager" }]);
    const force = await failure(registry.patch(ctx(), "p", "merge", {}, undefined, false));
    expect(force).toMatchObject({ code: 422, message: 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch' });
  });

  it("refuses configurations kube-apiserver refuses, in its words", async () => {
    expect(await failure(apply({ ...profile({}), kind: "Work" }, "ssa"))).toMatchObject({ code: 400, message: "invalid object type: multicluster.x-k8s.io/v1alpha1, Kind=Work" });
    expect(await failure(apply({ ...profile({}), apiVersion: "v1" }, "ssa"))).toMatchObject({ code: 400, message: "invalid object type: /v1, Kind=ClusterProfile" });
    expect(await failure(apply(profile({}, { managedFields: [] }), "ssa"))).toMatchObject({ code: 400, message: "metadata.managedFields must be nil" });
    expect(await failure(apply(profile({ clusterManager: { name: "m" }, bogus: 1 }), "ssa"))).toMatchObject({
      code: 400,
      message: `failed to create typed patch object (/p; ${GV}, Kind=ClusterProfile): .spec.bogus: field not declared in schema`,
    });
    expect(await failure(apply(profile({ clusterManager: { name: "m" } }, { name: "q" }), "ssa"))).toMatchObject({ code: 400, message: "the name of the object (q) does not match the name on the URL (p)" });
    expect(await failure(apply(profile({}), "ssa"))).toMatchObject({ code: 422, reason: "Invalid" });
  });

  it("treats a resourceVersion in the configuration as a precondition", async () => {
    const first = await apply(profile({ clusterManager: { name: "m" } }), "ssa");
    const stale = await failure(apply(profile({ clusterManager: { name: "m" }, displayName: "d" }, { resourceVersion: "0" }), "ssa"));
    expect(stale).toMatchObject({ code: 409, reason: "Conflict", message: 'Operation cannot be fulfilled on clusterprofiles.multicluster.x-k8s.io "p": the object has been modified; please apply your changes to the latest version and try again' });
    const { object } = await apply(profile({ clusterManager: { name: "m" }, displayName: "d" }, { resourceVersion: first.object.metadata.resourceVersion }), "ssa");
    expect(Number(object.metadata.resourceVersion)).toBeGreaterThan(Number(first.object.metadata.resourceVersion));
  });

  it("dry-run apply creates nothing", async () => {
    const before = await store.currentRevision();
    const { object, created } = await registry.patch(ctx({ fieldManager: "ssa", dryRun: true }), "p", "apply", profile({ clusterManager: { name: "m" } }));
    expect(created).toBe(true);
    expect(entries(object)).toHaveLength(1);
    expect(await store.currentRevision()).toBe(before);
  });
});
