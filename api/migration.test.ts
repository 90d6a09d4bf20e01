import { describe, expect, it } from "vitest";
import type { KubeObject } from "../storage/interface.js";
import { planCopy, storageKey, storedCopy } from "./migration.js";

const hub = (over: Partial<KubeObject["metadata"]> = {}, spec: object = { clusterManager: { name: "ocm" } }): KubeObject => ({
  apiVersion: "multicluster.x-k8s.io/v1alpha1",
  kind: "ClusterProfile",
  metadata: { name: "east", namespace: "fleet", uid: "u-1", resourceVersion: "812", creationTimestamp: "2026-01-01T00:00:00Z", generation: 3, labels: { a: "b" }, annotations: { c: "d" }, ...over },
  spec,
  status: { version: { kubernetes: "v1.34.1" } },
});

describe("storedCopy", () => {
  it("keeps uid, creationTimestamp, generation, labels, annotations, spec and status; drops the hub's resourceVersion", () => {
    const c = storedCopy({ ...hub(), metadata: { ...hub().metadata, selfLink: "/x" } as KubeObject["metadata"] });
    expect(c.metadata).toEqual({ name: "east", namespace: "fleet", uid: "u-1", creationTimestamp: "2026-01-01T00:00:00Z", generation: 3, labels: { a: "b" }, annotations: { c: "d" } });
    expect(c.spec).toEqual({ clusterManager: { name: "ocm" } });
    expect(c.status).toEqual({ version: { kubernetes: "v1.34.1" } });
    expect(storageKey("clusterprofiles", c)).toBe("/clusterprofiles/fleet/east");
  });
});

describe("planCopy", () => {
  it("creates what storage lacks, and is unchanged on a second run", () => {
    const first = planCopy(hub(), undefined);
    expect(first.action).toBe("create");
    const stored = { ...first.object!, metadata: { ...first.object!.metadata, resourceVersion: "5" } };
    expect(planCopy(hub(), stored)).toEqual({ action: "unchanged" });
  });

  it("updates the same object (same uid) changed on the hub since", () => {
    const stored = { ...storedCopy(hub()), metadata: { ...storedCopy(hub()).metadata, resourceVersion: "5" } };
    const plan = planCopy(hub({ labels: { a: "changed" } }), stored);
    expect(plan.action).toBe("update");
    expect(plan.object!.metadata.labels).toEqual({ a: "changed" });
  });

  it("never overwrites another object of the same name, and skips what the hub is deleting", () => {
    const other = { ...storedCopy(hub({ uid: "u-2" })), metadata: { ...storedCopy(hub({ uid: "u-2" })).metadata, resourceVersion: "5" } };
    expect(planCopy(hub(), other)).toMatchObject({ action: "conflict", reason: expect.stringContaining("uid u-2, not u-1") });
    expect(planCopy(hub({ deletionTimestamp: "2026-02-01T00:00:00Z" }), undefined)).toMatchObject({ action: "skip" });
  });
});
