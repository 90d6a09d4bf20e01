import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../storage/interface.js";
import { validate } from "../../resources/validation.js";
import { availability, manifestLabel, sameStatus, workStatus, type Condition, type ManifestResult, type SyncOutcome, type WorkStatus } from "./status.js";

const T0 = new Date("2025-01-01T00:00:00.456Z");
const T1 = new Date("2025-01-01T00:05:00Z");

function work(generation = 1, status?: WorkStatus): KubeObject {
  return {
    apiVersion: "multicluster.x-k8s.io/v1alpha1",
    kind: "Work",
    metadata: { name: "w", namespace: "fleet", uid: "u1", generation, labels: { "clusterset.dev/cluster": "east" } },
    spec: { workload: { manifests: [] } },
    ...(status ? { status } : {}),
  };
}

const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "app" } });
const deploy = (replicas: number | undefined, available: number | undefined, gen = 1, observed?: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "app", generation: gen },
  spec: replicas === undefined ? {} : { replicas },
  status: { ...(available === undefined ? {} : { availableReplicas: available }), ...(observed === undefined ? {} : { observedGeneration: observed }) },
});

function ok(ordinal: number, kind: string, name: string, live: unknown): ManifestResult {
  return { identifier: { ordinal, group: kind === "Deployment" ? "apps" : "", version: "v1", kind, resource: `${kind.toLowerCase()}s`, namespace: "app", name }, label: manifestLabel(ordinal, kind, name), applied: { ok: true, live } };
}
function refused(ordinal: number, kind: string, name: string, reason: string, message: string): ManifestResult {
  return { identifier: { ordinal, group: "example.com", version: "v1", kind, name }, label: manifestLabel(ordinal, kind, name), applied: { ok: false, reason, message, refused: true } };
}

const cond = (s: WorkStatus, type: string) => s.conditions.find((c) => c.type === type)!;
const mcond = (s: WorkStatus, ordinal: number, type: string) => s.manifestConditions!.find((m) => m.identifier.ordinal === ordinal)!.conditions.find((c) => c.type === type)!;

describe("availability", () => {
  it("reads a Deployment by its replicas, defaulting to one, and waits for the controller to observe it", () => {
    expect(availability(deploy(3, 3))).toMatchObject({ status: "True", reason: "ReplicasAvailable", message: "3 of 3 replicas available" });
    expect(availability(deploy(3, 1)).status).toBe("False");
    expect(availability(deploy(undefined, undefined))).toMatchObject({ status: "False", message: "0 of 1 replicas available" });
    expect(availability(deploy(undefined, 1)).status).toBe("True");
    expect(availability(deploy(0, undefined)).status).toBe("True");
    expect(availability(deploy(1, 1, 3, 2))).toMatchObject({ status: "False", reason: "StatusNotObserved" });
    expect(availability(deploy(1, 1, 3, 3)).status).toBe("True");
  });

  it("gives an unavailable Deployment the reason its controller states: ReplicaFailure, then Progressing, then Available", () => {
    const withConds = (conditions: object[]) => ({ ...deploy(2, 0), status: { availableReplicas: 0, conditions } });
    const unavailable = { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." };
    const progressing = { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: "ReplicaSet \"web-1\" is progressing." };
    expect(availability(withConds([unavailable, progressing]))).toEqual({
      status: "False",
      reason: "MinimumReplicasUnavailable",
      message: "0 of 2 replicas available; the Deployment says MinimumReplicasUnavailable: Deployment does not have minimum availability.",
    });
    const deadline = { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "ReplicaSet \"web-1\" has timed out progressing." };
    expect(availability(withConds([unavailable, deadline])).reason).toBe("ProgressDeadlineExceeded");
    const failure = { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: "pods \"web-1-x\" is forbidden: error looking up service account app/default" };
    expect(availability(withConds([unavailable, deadline, failure]))).toMatchObject({ reason: "FailedCreate", message: expect.stringContaining("is forbidden") });
    // A condition that names no reason, or one that says all is well, leaves our own words.
    expect(availability(withConds([{ type: "Available", status: "False" }, progressing])).reason).toBe("ReplicasUnavailable");
    // Available by the controller's measure (maxUnavailable) but not every replica: still not available here.
    expect(availability(withConds([{ type: "Available", status: "True", reason: "MinimumReplicasAvailable" }])).reason).toBe("ReplicasUnavailable");
  });

  it("reads Available, then Ready conditions, else existence", () => {
    const withConds = (conditions: object[]) => ({ apiVersion: "example.com/v1", kind: "Thing", metadata: { name: "t" }, status: { conditions } });
    expect(availability(withConds([{ type: "Ready", status: "False", message: "warming up" }]))).toEqual({ status: "False", reason: "NotReady", message: "condition Ready is False: warming up" });
    expect(availability(withConds([{ type: "Ready", status: "False" }, { type: "Available", status: "True" }])).reason).toBe("Available");
    expect(availability(withConds([{ type: "Available", status: "Weird" }])).status).toBe("Unknown");
    expect(availability(cm("x"))).toEqual({ status: "True", reason: "Exists", message: "the object exists on the member" });
  });
});

describe("workStatus", () => {
  it("all applied and available: True, True, not Degraded; identifiers in manifest order", () => {
    const s = workStatus(work(2), { state: "Synced", manifests: [ok(1, "Deployment", "web", deploy(1, 1)), ok(0, "ConfigMap", "a", cm("a"))] }, T0);
    expect(s.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["Applied", "True", "Applied"],
      ["Available", "True", "Available"],
      ["Degraded", "False", "NoneRefused"],
    ]);
    expect(s.conditions.every((c) => c.lastTransitionTime === "2025-01-01T00:00:00Z" && c.observedGeneration === 2)).toBe(true);
    expect(s.manifestConditions!.map((m) => m.identifier.ordinal)).toEqual([0, 1]);
    expect(s.manifestConditions![1]!.identifier).toEqual({ ordinal: 1, group: "apps", version: "v1", kind: "Deployment", resource: "deployments", namespace: "app", name: "web" });
    // The stored form passes the Work schema.
    const stored = { ...work(2), status: s };
    expect(validate("Work", stored).causes).toEqual([]);
  });

  it("a refused manifest: Degraded naming it (ordinal, kind, name, cause); the others still count as applied", () => {
    const s = workStatus(work(), { state: "Synced", manifests: [ok(0, "ConfigMap", "a", cm("a")), refused(1, "Widget", "w1", "UnknownKind", "fleet/east has no resource for kind Widget in example.com/v1")] }, T0);
    expect(cond(s, "Applied")).toMatchObject({ status: "False", reason: "ManifestRefused" });
    expect(cond(s, "Degraded")).toMatchObject({ status: "True", reason: "ManifestRefused" });
    expect(cond(s, "Degraded").message).toBe("east refused 1 of 2 manifests: manifest 1 (Widget w1): fleet/east has no resource for kind Widget in example.com/v1");
    expect(cond(s, "Available")).toMatchObject({ status: "Unknown", reason: "NotApplied" });
    expect(mcond(s, 0, "Applied").status).toBe("True");
    expect(mcond(s, 1, "Applied")).toMatchObject({ status: "False", reason: "UnknownKind" });
    expect(mcond(s, 1, "Available")).toMatchObject({ status: "Unknown", reason: "NotApplied" });
  });

  it("an applied but unavailable Deployment makes Available False with the reason", () => {
    const s = workStatus(work(), { state: "Synced", manifests: [ok(0, "Deployment", "web", deploy(2, 1))] }, T0);
    expect(cond(s, "Available")).toMatchObject({ status: "False", reason: "NotAvailable", message: "1 of 1 manifests not available: manifest 0 (Deployment web): 1 of 2 replicas available" });
    expect(mcond(s, 0, "Available")).toMatchObject({ status: "False", reason: "ReplicasUnavailable" });
  });

  it("keeps lastTransitionTime while a status stays, moves it when the status changes; same findings, same object", () => {
    const first = workStatus(work(), { state: "Synced", manifests: [ok(0, "Deployment", "web", deploy(1, 0))] }, T0);
    const again = workStatus(work(1, first), { state: "Synced", manifests: [ok(0, "Deployment", "web", deploy(1, 0))] }, T1);
    expect(sameStatus(again, first)).toBe(true);
    const later = workStatus(work(1, first), { state: "Synced", manifests: [ok(0, "Deployment", "web", deploy(1, 1))] }, T1);
    expect(cond(later, "Applied").lastTransitionTime).toBe("2025-01-01T00:00:00Z");
    expect(cond(later, "Available")).toMatchObject({ status: "True", lastTransitionTime: "2025-01-01T00:05:00Z" });
    expect(mcond(later, 0, "Available").lastTransitionTime).toBe("2025-01-01T00:05:00Z");
    expect(mcond(later, 0, "Applied").lastTransitionTime).toBe("2025-01-01T00:00:00Z");
  });

  it("ClusterNotFound: Applied False with that reason, the rest Unknown", () => {
    const s = workStatus(work(), { state: "ClusterNotFound", member: "fleet/east" }, T0);
    expect(cond(s, "Applied")).toMatchObject({ status: "False", reason: "ClusterNotFound" });
    expect(cond(s, "Applied").message).toContain("fleet/east");
    expect(cond(s, "Available").status).toBe("Unknown");
    expect(s.manifestConditions).toBeUndefined();
    expect(validate("Work", { ...work(), status: s }).causes).toEqual([]);
  });

  it("ClusterUnreachable: Unknown when this generation was applied, False for a newer spec; what was found stays", () => {
    const applied = workStatus(work(1), { state: "Synced", manifests: [ok(0, "ConfigMap", "a", cm("a"))] }, T0);
    const down: SyncOutcome = { state: "ClusterUnreachable", member: "fleet/east", message: "cannot reach fleet/east: connection refused; retrying" };
    const same = workStatus(work(1, applied), down, T1);
    expect(cond(same, "Applied")).toMatchObject({ status: "Unknown", reason: "ClusterUnreachable", message: down.state === "ClusterUnreachable" ? down.message : "" });
    expect(same.manifestConditions).toEqual(applied.manifestConditions);
    // Still down on the next try: no flip between Unknown and False.
    expect(cond(workStatus(work(1, same), down, T1), "Applied").status).toBe("Unknown");
    const newer = workStatus(work(2, applied), down, T1);
    expect(cond(newer, "Applied")).toMatchObject({ status: "False", reason: "ClusterUnreachable", observedGeneration: 2 });
  });

  it("lists at most five failures and says how many more; clips messages to the schema's 32768", () => {
    const many = Array.from({ length: 8 }, (_, i) => refused(i, "Widget", `w${i}`, "UnknownKind", "x".repeat(i === 0 ? 40_000 : 3)));
    const s = workStatus(work(), { state: "Synced", manifests: many }, T0);
    const c: Condition = cond(s, "Degraded");
    expect(c.message.length).toBeLessThan(2000);
    expect(c.message.endsWith("and 3 more")).toBe(true);
    expect(c.message).toContain("manifest 4 (Widget w4): xxx");
    expect(mcond(s, 0, "Applied").message.length).toBe(32768);
  });
});
