import { describe, expect, it } from "vitest";
import type { MemberView } from "../../members/member-view.js";
import type { KubeObject } from "../../storage/interface.js";
import { validate } from "../../resources/validation.js";
import { canAdopt, computeProfile, leftProfile, sameContent, type Condition, type Property } from "./compute.js";

const T0 = new Date("2025-01-01T00:00:00.123Z");
const T1 = new Date("2025-01-01T00:05:00Z");
const T2 = new Date("2025-01-01T00:10:00Z");
const CA = Buffer.from("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n").toString("base64");

function view(over: Partial<MemberView> = {}): MemberView {
  return {
    name: "east",
    namespace: "fleet",
    secretRef: { namespace: "fleet", name: "east-kc", key: "kubeconfig", kind: "clusterset" },
    displayName: "East",
    server: "https://10.0.0.1:6443",
    caData: CA,
    context: "east",
    version: "v1.20.2",
    health: { status: "True", reason: "Healthy", message: "/readyz ok", since: "2025-01-01T00:00:00Z" },
    joined: { status: "True", reason: "Joined", message: "member reached at https://10.0.0.1:6443", since: "2025-01-01T00:00:00Z" },
    nodes: { count: 2, cpuCapacity: "8", memoryCapacity: "16Gi", cpuAllocatable: "7500m", memoryAllocatable: "15Gi", synced: true },
    properties: [{ name: "cluster.clusterset.k8s.io", value: "east-id", firstSeen: "2025-01-01T00:00:00Z" }],
    propertiesSynced: true,
    ...over,
  };
}

/** What storage would hand back after writing `o`. */
function stored(o: KubeObject, rv = "10"): KubeObject {
  const copy = structuredClone(o);
  copy.metadata = { ...copy.metadata, uid: "uid-1", creationTimestamp: "2024-12-31T00:00:00Z", resourceVersion: rv };
  return copy;
}

const cond = (o: KubeObject, type: string) => (o.status as { conditions: Condition[] }).conditions.find((c) => c.type === type)!;
const props = (o: KubeObject) => (o.status as { properties: Property[] }).properties;

describe("computeProfile", () => {
  it("labels the inventory member id it is given, and removes a stale one", () => {
    const withId = computeProfile(view(), undefined, T0, { memberId: "east-id" });
    expect(withId.metadata.labels).toEqual({ "x-k8s.io/cluster-manager": "clusterset-apiserver", "multicluster.x-k8s.io/inventory-member-id": "east-id" });
    const without = computeProfile(view(), stored(withId), T1);
    expect(without.metadata.labels).not.toHaveProperty("multicluster.x-k8s.io/inventory-member-id");
  });

  it("builds labels, spec, version, conditions, properties and the access provider", () => {
    const p = computeProfile(view(), undefined, T0, { namespaceLabels: { "multicluster.x-k8s.io/clusterset": "prod", other: "x" } });
    expect(p).toEqual({
      apiVersion: "multicluster.x-k8s.io/v1alpha1",
      kind: "ClusterProfile",
      metadata: { name: "east", namespace: "fleet", generation: 1, labels: { "x-k8s.io/cluster-manager": "clusterset-apiserver", "multicluster.x-k8s.io/clusterset": "prod" } },
      spec: { clusterManager: { name: "clusterset-apiserver" }, displayName: "East" },
      status: {
        version: { kubernetes: "v1.20.2" },
        conditions: [
          { type: "ControlPlaneHealthy", status: "True", reason: "Healthy", message: "/readyz ok", lastTransitionTime: "2025-01-01T00:00:00Z", observedGeneration: 1 },
          { type: "Joined", status: "True", reason: "Joined", message: "member reached at https://10.0.0.1:6443", lastTransitionTime: "2025-01-01T00:00:00Z", observedGeneration: 1 },
        ],
        properties: [
          { name: "cluster.clusterset.k8s.io", value: "east-id", lastObservedTime: "2025-01-01T00:00:00Z" },
          { name: "clusterset.dev/cpu-allocatable", value: "7500m", lastObservedTime: "2025-01-01T00:00:00Z" },
          { name: "clusterset.dev/cpu-capacity", value: "8", lastObservedTime: "2025-01-01T00:00:00Z" },
          { name: "clusterset.dev/memory-allocatable", value: "15Gi", lastObservedTime: "2025-01-01T00:00:00Z" },
          { name: "clusterset.dev/memory-capacity", value: "16Gi", lastObservedTime: "2025-01-01T00:00:00Z" },
          { name: "clusterset.dev/node-count", value: "2", lastObservedTime: "2025-01-01T00:00:00Z" },
        ],
        accessProviders: [
          {
            name: "kubeconfig-secretreader",
            cluster: {
              server: "https://10.0.0.1:6443",
              "certificate-authority-data": CA,
              extensions: [{ name: "client.authentication.k8s.io/exec", extension: { name: "east-kc", namespace: "fleet", key: "kubeconfig" } }],
            },
          },
        ],
      },
    });
  });

  it("recomputing an unchanged member gives the stored object back (no write)", () => {
    const s = stored(computeProfile(view(), undefined, T0));
    const again = computeProfile(view(), s, T2);
    expect(sameContent(again, s)).toBe(true);
    expect(again.metadata).toMatchObject({ uid: "uid-1", creationTimestamp: "2024-12-31T00:00:00Z", resourceVersion: "10" });
  });

  it("lastTransitionTime moves only when a condition's status changes", () => {
    let s = stored(computeProfile(view(), undefined, T0));
    // Same status, new reason/message: time stays.
    let next = computeProfile(view({ health: { status: "True", reason: "Healthy", message: "/readyz ok (again)", since: "2025-01-01T00:04:00Z" } }), s, T1);
    expect(cond(next, "ControlPlaneHealthy")).toMatchObject({ message: "/readyz ok (again)", lastTransitionTime: "2025-01-01T00:00:00Z" });
    // Status flips: the view's time of the change.
    next = computeProfile(view({ health: { status: "False", reason: "Unreachable", message: "cannot reach: connection refused", since: "2025-01-01T00:04:30Z" } }), s, T1);
    expect(cond(next, "ControlPlaneHealthy")).toMatchObject({ status: "False", reason: "Unreachable", lastTransitionTime: "2025-01-01T00:04:30Z" });
    expect(cond(next, "Joined").lastTransitionTime).toBe("2025-01-01T00:00:00Z");
    s = stored(next);
    // A since older than what another replica stored: now.
    next = computeProfile(view({ health: { status: "True", reason: "Healthy", message: "/readyz ok", since: "2025-01-01T00:01:00Z" } }), s, T2);
    expect(cond(next, "ControlPlaneHealthy").lastTransitionTime).toBe("2025-01-01T00:10:00Z");
  });

  it("a new leader's view that has heard nothing yet keeps what is stored", () => {
    const s = stored(computeProfile(view(), undefined, T0));
    const fresh = view({
      version: undefined,
      health: { status: "Unknown", reason: "Connecting", message: "waiting", since: "2025-01-01T00:10:00Z", pending: true },
      joined: { status: "Unknown", reason: "Connecting", message: "waiting", since: "2025-01-01T00:10:00Z", pending: true },
      nodes: { count: 0, cpuCapacity: "0", memoryCapacity: "0", cpuAllocatable: "0", memoryAllocatable: "0", synced: false },
      properties: [],
      propertiesSynced: false,
    });
    expect(sameContent(computeProfile(fresh, s, T2), s)).toBe(true);
    // Reached-before stays Joined while this view only saw it unreachable.
    const down = view({ joined: { status: "False", reason: "Unreachable", message: "cannot reach", since: "2025-01-01T00:10:00Z" } });
    expect(cond(computeProfile(down, s, T2), "Joined")).toMatchObject({ status: "True", lastTransitionTime: "2025-01-01T00:00:00Z" });
    // Before anything is stored, pending shows as Unknown and unsynced Node totals are left out.
    const first = computeProfile(fresh, undefined, T2);
    expect(cond(first, "ControlPlaneHealthy")).toMatchObject({ status: "Unknown", reason: "Connecting" });
    expect(props(first)).toEqual([]);
    expect((first.status as { version?: unknown }).version).toBeUndefined();
  });

  it("lastObservedTime is when the current value was first seen", () => {
    const s = stored(computeProfile(view(), undefined, T0));
    const changed = computeProfile(
      view({
        properties: [{ name: "cluster.clusterset.k8s.io", value: "east-id", firstSeen: "2025-01-01T00:09:00Z" }, { name: "region", value: "eu", firstSeen: "2025-01-01T00:09:30Z" }],
        nodes: { count: 3, cpuCapacity: "12", memoryCapacity: "16Gi", cpuAllocatable: "7500m", memoryAllocatable: "15Gi", synced: true },
      }),
      s,
      T2,
    );
    const byName = Object.fromEntries(props(changed).map((p) => [p.name, p]));
    expect(byName["cluster.clusterset.k8s.io"]!.lastObservedTime).toBe("2025-01-01T00:00:00Z"); // value unchanged
    expect(byName.region!.lastObservedTime).toBe("2025-01-01T00:09:30Z");
    expect(byName["clusterset.dev/node-count"]).toEqual({ name: "clusterset.dev/node-count", value: "3", lastObservedTime: "2025-01-01T00:10:00Z" });
    expect(byName["clusterset.dev/memory-capacity"]!.lastObservedTime).toBe("2025-01-01T00:00:00Z");
  });

  it("leaves out values over 1024 characters and names that collide with ours", () => {
    const p = computeProfile(view({ properties: [{ name: "big", value: "x".repeat(1025), firstSeen: "2025-01-01T00:00:00Z" }, { name: "clusterset.dev/node-count", value: "999", firstSeen: "2025-01-01T00:00:00Z" }] }), undefined, T0);
    expect(props(p).map((x) => `${x.name}=${x.value}`)).not.toContain("big=" + "x".repeat(1025));
    expect(props(p).find((x) => x.name === "clusterset.dev/node-count")!.value).toBe("2");
  });

  it("keeps user labels and annotations; our label keys keep our values; generation follows spec", () => {
    const s = stored(computeProfile(view(), undefined, T0, { namespaceLabels: { "multicluster.x-k8s.io/clusterset": "a" } }));
    s.metadata.labels = { ...s.metadata.labels, team: "blue", "x-k8s.io/cluster-manager": "someone-else" };
    s.metadata.annotations = { note: "hi" };
    const next = computeProfile(view(), s, T1);
    expect(next.metadata.labels).toEqual({ team: "blue", "x-k8s.io/cluster-manager": "clusterset-apiserver" }); // namespace lost its label
    expect(next.metadata.annotations).toEqual({ note: "hi" });
    expect(next.metadata.generation).toBe(1);
    const renamed = computeProfile(view({ displayName: "East DC" }), stored(next), T1);
    expect(renamed.metadata.generation).toBe(2);
    expect(cond(renamed, "Joined").observedGeneration).toBe(2);
  });

  it("an unusable kubeconfig: no access provider; never a credential anywhere", () => {
    const bad = view({ server: "", caData: undefined, joined: { status: "False", reason: "InvalidKubeconfig", message: "Secret fleet/east-kc key kubeconfig: no credentials", since: "2025-01-01T00:00:00Z" } });
    const p = computeProfile(bad, undefined, T0);
    expect((p.status as { accessProviders?: unknown }).accessProviders).toBeUndefined();
    const text = JSON.stringify(computeProfile(view({ insecureSkipTLSVerify: true, tlsServerName: "api", proxyUrl: "http://proxy" }), undefined, T0));
    expect(text).not.toMatch(/token|client-key|client-certificate|password|username/);
    expect(text).toContain('"tls-server-name":"api"');
  });
});

describe("schema", () => {
  it("what we compute is valid against the upstream ClusterProfile schema, and nothing is pruned", () => {
    for (const v of [view(), view({ server: "", caData: undefined, version: undefined, insecureSkipTLSVerify: true })]) {
      const r = validate("ClusterProfile", computeProfile(v, undefined, T0, { namespaceLabels: { "multicluster.x-k8s.io/clusterset": "prod" } }), { fieldValidation: "Strict" });
      expect(r.causes).toEqual([]);
      expect(r.unknownFields).toEqual([]);
      expect(r.badRequest).toBeUndefined();
    }
  });
});

describe("helpers", () => {
  it("sameContent ignores resourceVersion and managedFields only", () => {
    const a = stored(computeProfile(view(), undefined, T0), "1");
    const b = { ...stored(a, "2"), metadata: { ...stored(a, "2").metadata, managedFields: [{ manager: "x" }] } };
    expect(sameContent(a, b)).toBe(true);
    expect(sameContent(a, { ...a, metadata: { ...a.metadata, labels: { x: "y" } } })).toBe(false);
  });

  it("canAdopt only profiles that name us as manager", () => {
    expect(canAdopt({ metadata: { name: "x" }, spec: { clusterManager: { name: "clusterset-apiserver" } } })).toBe(true);
    expect(canAdopt({ metadata: { name: "x" }, spec: { clusterManager: { name: "ocm" } } })).toBe(false);
  });

  it("leftProfile marks an adopted profile Joined=False and is idempotent", () => {
    const s = stored(computeProfile(view(), undefined, T0));
    const left = leftProfile(s, { namespace: "fleet", name: "east-kc" }, T1);
    expect(cond(left, "Joined")).toMatchObject({ status: "False", reason: "SecretDeleted", lastTransitionTime: "2025-01-01T00:05:00Z" });
    expect(cond(left, "ControlPlaneHealthy")).toEqual(cond(s, "ControlPlaneHealthy"));
    expect(sameContent(leftProfile(stored(left), { namespace: "fleet", name: "east-kc" }, T2), stored(left))).toBe(true);
  });
});
