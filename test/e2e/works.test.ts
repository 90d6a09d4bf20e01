/**
 * Works reach the members (issue 7): real member kube-apiservers joined to the real hub, Works written with
 * kubectl through the hub, and the members checked with their own kubectl. Members behave as clusters (issue
 * 16): KWOK Nodes, kube-scheduler and the workload controllers, so a Work's Deployment gets Running Pods and its
 * Service an EndpointSlice, and the Work's `Available` comes from that; no test writes status on a member.
 * Last, two replicas on etcd: only the leader applies, and a new leader takes over when it dies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import type { Cluster } from "../harness/cluster.js";
import { joinMember } from "../harness/join.js";
import type { OurServer } from "../harness/our-server.js";
import { until } from "../harness/processes.js";
import { Direct } from "./support/direct.js";

const NS = "fleet";
let cs: ClusterSet;
let m1: Cluster;
let m2: Cluster;

interface Condition { type: string; status: string; reason: string; message: string; observedGeneration?: number }
interface Work {
  metadata: { name: string; uid: string; generation: number; finalizers?: string[]; deletionTimestamp?: string };
  status?: { conditions?: Condition[]; manifestConditions?: { identifier: Record<string, unknown>; conditions: Condition[] }[] };
}


const workYaml = (name: string, cluster: string | undefined, manifests: object[], annotations?: Record<string, string>) =>
  JSON.stringify({
    apiVersion: "multicluster.x-k8s.io/v1alpha1",
    kind: "Work",
    metadata: { name, namespace: NS, ...(cluster ? { labels: { "clusterset.dev/cluster": cluster } } : {}), ...(annotations ? { annotations } : {}) },
    spec: { workload: { manifests } },
  });
const applyWork = (name: string, cluster: string | undefined, manifests: object[], annotations?: Record<string, string>) =>
  cs.hub.kubectl(["apply", "-f", "-"], { input: workYaml(name, cluster, manifests, annotations) });

async function getWork(name: string): Promise<Work | undefined> {
  const r = await cs.hub.kubectl(["get", "work", name, "-n", NS, "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as Work) : undefined;
}
const cond = (w: Work | undefined, type: string) => w?.status?.conditions?.find((c) => c.type === type);
const waitCondition = (name: string, type: string, ok: (c: Condition) => boolean, what: string, timeoutMs?: number) =>
  until(async () => {
    const w = await getWork(name);
    const c = cond(w, type);
    return c && ok(c) ? w : undefined;
  }, `${name}: ${what}`, timeoutMs);

async function memberGet<T = { metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion: string; generation?: number }; data?: Record<string, string> }>(m: Cluster, args: string[]): Promise<T | undefined> {
  const r = await m.kubectl(["get", ...args, "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as T) : undefined;
}
const gone = async (m: Cluster, args: string[]) => /NotFound|not found/.test((await m.kubectl(["get", ...args])).stderr);

const ns = (name: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
const cm = (name: string, namespace: string, data: Record<string, string>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data });
const deployment = (namespace: string, opts: { name?: string; replicas?: number; nodeSelector?: Record<string, string> } = {}) => {
  const name = opts.name ?? "web";
  const podSpec = { containers: [{ name: "web", image: "nginx:1.25", ports: [{ containerPort: 80 }] }], ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}) };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: { replicas: opts.replicas ?? 3, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec } },
  };
};
const service = (namespace: string) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace },
  spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 80 }] },
});

interface Pod { metadata: { name: string }; spec: { nodeName?: string }; status: { phase: string; podIP?: string; conditions?: { type: string; status: string; reason?: string }[] } }
interface EndpointSlice { metadata: { name: string }; addressType: string; endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; nodeName?: string }[]; ports?: { name?: string; port?: number }[] }

describe("one server, two members", () => {
  beforeAll(async () => {
    cs = await startClusterSet({ members: 2, label: "works" });
    [m1, m2] = cs.members as [Cluster, Cluster];
    await joinMember(cs.hub, m1, { namespace: NS });
    await joinMember(cs.hub, m2, { namespace: NS });
    await until(async () => {
      const r = await cs.hub.kubectl(["get", "clusterprofiles", "-n", NS]);
      return /member1\s/.test(r.stdout) && /member2\s/.test(r.stdout);
    }, "both members joined", 120_000);
  });
  afterAll(async () => {
    await cs?.stop();
  });

  describe("a Work on its member", () => {
    const manifests = (color: string, extra: object[] = []) => [cm("settings", "app", { color }), deployment("app"), service("app"), ...extra, ns("app")];

    it("lands there (Namespace first), shows APPLIED True, and kubectl wait --for=condition=Applied returns", async () => {
      const r = await applyWork("web", "member1", manifests("blue"));
      expect(r.code, r.stderr).toBe(0);
      const wait = await cs.hub.kubectl(["wait", "--for=condition=Applied", "work/web", "-n", NS, "--timeout=120s"], { timeoutMs: 130_000 });
      expect(wait.code, wait.stderr).toBe(0);
      const w = (await getWork("web"))!;
      expect(w.metadata.finalizers).toContain("multicluster.x-k8s.io/work-cleanup");
      const settings = (await memberGet(m1, ["configmap", "settings", "-n", "app"]))!;
      expect(settings.data).toEqual({ color: "blue" });
      expect(settings.metadata.labels).toMatchObject({ "clusterset.dev/work-uid": w.metadata.uid });
      expect(settings.metadata.annotations).toMatchObject({ "clusterset.dev/work": `${NS}/web` });
      expect(await memberGet(m1, ["deployment", "web", "-n", "app"])).toBeDefined();
      expect(await gone(m2, ["namespace", "app"])).toBe(true);
      expect(w.status!.manifestConditions!.map((m) => m.identifier)).toEqual([
        { ordinal: 0, group: "", version: "v1", kind: "ConfigMap", resource: "configmaps", namespace: "app", name: "settings" },
        { ordinal: 1, group: "apps", version: "v1", kind: "Deployment", resource: "deployments", namespace: "app", name: "web" },
        { ordinal: 2, group: "", version: "v1", kind: "Service", resource: "services", namespace: "app", name: "web" },
        { ordinal: 3, group: "", version: "v1", kind: "Namespace", resource: "namespaces", name: "app" },
      ]);
      const table = await cs.hub.kubectl(["get", "works", "-n", NS], { check: true });
      expect(table.stdout).toMatch(/^NAME\s+CLUSTER\s+MANIFESTS\s+APPLIED\s+AVAILABLE\s+AGE/);
      expect(table.stdout).toMatch(/\nweb\s+member1\s+4\s+True\s+(True|False)\s/);
    }, 300_000);

    it("turns Available as the member runs it: 3 Pods Running with IPs on KWOK Nodes, a ready EndpointSlice", async () => {
      // Nothing writes status on the member: the Deployment and ReplicaSet controllers, kube-scheduler and KWOK do.
      const wait = await cs.hub.kubectl(["wait", "--for=condition=Available", "work/web", "-n", NS, "--timeout=120s"], { timeoutMs: 130_000 });
      expect(wait.code, wait.stderr).toBe(0);
      expect((await cs.hub.kubectl(["get", "works", "-n", NS], { check: true })).stdout).toMatch(/\nweb\s+member1\s+4\s+True\s+True\s/);
      const dep = (await getWork("web"))!.status!.manifestConditions!.find((m) => m.identifier.kind === "Deployment")!;
      expect(dep.conditions.find((c) => c.type === "Available")).toMatchObject({ status: "True", reason: "ReplicasAvailable", message: "3 of 3 replicas available" });

      const pods = (await memberGet<{ items: Pod[] }>(m1, ["pods", "-n", "app", "-l", "app=web"]))!.items;
      expect(pods).toHaveLength(3);
      const nodes = new Set(["member1-node-1", "member1-node-2", "member1-node-3"]);
      for (const p of pods) {
        expect(p.status.phase, p.metadata.name).toBe("Running");
        expect(p.status.podIP, p.metadata.name).toMatch(/^10\.244\.\d+\.\d+$/);
        expect(nodes.has(p.spec.nodeName ?? ""), `${p.metadata.name} on ${p.spec.nodeName}`).toBe(true);
        expect(p.status.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
      }
      // The EndpointSlice controller follows the Pods (it may lag the Deployment's status by a moment).
      const slices = await until(async () => {
        const list = (await memberGet<{ items: EndpointSlice[] }>(m1, ["endpointslices", "-n", "app", "-l", "kubernetes.io/service-name=web"]))?.items ?? [];
        const ready = list.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready === true);
        return ready.length === 3 ? list : undefined;
      }, "an EndpointSlice of Service web with 3 ready endpoints", 60_000);
      expect(slices).toHaveLength(1);
      expect(slices[0]!.addressType).toBe("IPv4");
      expect(slices[0]!.ports).toEqual([{ name: "http", port: 80, protocol: "TCP" }]);
      expect(slices[0]!.endpoints!.flatMap((e) => e.addresses).sort()).toEqual(pods.map((p) => p.status.podIP!).sort());
    }, 180_000);

    it("follows changes to the Work and deletes a manifest it no longer lists", async () => {
      expect((await applyWork("web", "member1", manifests("green", [cm("extra", "app", { a: "1" })]))).code).toBe(0);
      await until(async () => (await memberGet(m1, ["configmap", "settings", "-n", "app"]))?.data?.color === "green" && (await memberGet(m1, ["configmap", "extra", "-n", "app"])), "change and new manifest on member1");
      expect((await applyWork("web", "member1", manifests("green"))).code).toBe(0);
      await until(() => gone(m1, ["configmap", "extra", "-n", "app"]), "removed manifest deleted on member1");
      const w = await waitCondition("web", "Applied", (c) => c.status === "True" && c.observedGeneration === 3, "Applied at generation 3");
      expect(w.status!.manifestConditions).toHaveLength(4);
    }, 300_000);

    it("reverts a member-side edit of what it applied", async () => {
      const r = await m1.kubectl(["patch", "configmap", "settings", "-n", "app", "--type=merge", "-p", JSON.stringify({ data: { color: "red" } })]);
      expect(r.code, r.stderr).toBe(0);
      await until(async () => (await memberGet(m1, ["configmap", "settings", "-n", "app"]))?.data?.color === "green", "edit reverted", 30_000);
    });

    it("refuses a Work without the target label, and a change of the label (422)", async () => {
      const none = await applyWork("nolabel", undefined, [cm("x", "default", { a: "1" })]);
      expect(none.code).not.toBe(0);
      expect(none.stderr).toMatch(/is invalid.*clusterset\.dev\/cluster/s);
      const relabel = await cs.hub.kubectl(["label", "work", "web", "-n", NS, "clusterset.dev/cluster=member2", "--overwrite"]);
      expect(relabel.code).not.toBe(0);
      expect(relabel.stderr).toMatch(/is invalid.*immutable/s);
    });
  });

  describe("a Deployment the member cannot schedule", () => {
    it("leaves the Work not Available with the Deployment's own reason, its Pods Pending as Unschedulable", async () => {
      const stuck = deployment("default", { name: "stuck", replicas: 2, nodeSelector: { "clusterset.dev/no-such-node": "true" } });
      expect((await applyWork("stuck", "member2", [stuck])).code).toBe(0);
      // The Deployment controller's verdict reaches the Work: Available False, reason MinimumReplicasUnavailable.
      const w = await until(async () => {
        const got = await getWork("stuck");
        const m = got?.status?.manifestConditions?.[0]?.conditions.find((c) => c.type === "Available");
        return m?.reason === "MinimumReplicasUnavailable" ? got : undefined;
      }, "stuck: the Deployment's own reason on its manifest", 90_000);
      expect(cond(w, "Applied")).toMatchObject({ status: "True" });
      expect(cond(w, "Available")).toMatchObject({ status: "False", reason: "NotAvailable" });
      const said = "0 of 2 replicas available; the Deployment says MinimumReplicasUnavailable: Deployment does not have minimum availability.";
      expect(cond(w, "Available")!.message).toBe(`1 of 1 manifests not available: manifest 0 (Deployment stuck): ${said}`);
      expect(w.status!.manifestConditions![0]!.conditions.find((c) => c.type === "Available")).toMatchObject({ status: "False", message: said });
      // On the member: the Pods exist and stay Pending, unscheduled, as the scheduler said.
      const pods = await until(async () => {
        const items = (await memberGet<{ items: Pod[] }>(m2, ["pods", "-n", "default", "-l", "app=stuck"]))?.items ?? [];
        const unschedulable = items.filter((p) => p.status.conditions?.some((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable"));
        return items.length === 2 && unschedulable.length === 2 ? items : undefined;
      }, "2 Pods Unschedulable on member2", 60_000);
      for (const p of pods) {
        expect(p.status.phase).toBe("Pending");
        expect(p.spec.nodeName).toBeUndefined();
      }
      // Still not Available after all that: nothing will ever be scheduled.
      expect(cond(await getWork("stuck"), "Available")!.status).toBe("False");
    }, 180_000);
  });

  describe("refusals, orphans, unknown members", () => {
    it("a manifest the member refuses makes the Work Degraded, naming it, while the others apply", async () => {
      const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w1", namespace: "default" } };
      const badData = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bad-data", namespace: "default" }, data: { "not a valid key!": "x" } };
      expect((await applyWork("mixed", "member2", [cm("fine", "default", { a: "1" }), widget, badData])).code).toBe(0);
      const w = await waitCondition("mixed", "Degraded", (c) => c.status === "True", "Degraded");
      const msg = cond(w, "Degraded")!.message;
      expect(msg).toContain("manifest 1 (Widget w1)");
      expect(msg).toContain("no resource for kind Widget in example.com/v1");
      expect(msg).toContain("manifest 2 (ConfigMap bad-data)");
      expect(msg).toMatch(/Invalid/);
      expect(cond(w, "Applied")).toMatchObject({ status: "False" });
      expect((await memberGet(m2, ["configmap", "fine", "-n", "default"]))?.data).toEqual({ a: "1" });
    });

    it("keeps the objects on the member when deleted with delete-option Orphan", async () => {
      expect((await applyWork("keep", "member1", [cm("kept", "default", { a: "1" })], { "clusterset.dev/delete-option": "Orphan" })).code).toBe(0);
      await waitCondition("keep", "Applied", (c) => c.status === "True", "Applied");
      const del = await cs.hub.kubectl(["delete", "work", "keep", "-n", NS, "--timeout=60s"], { timeoutMs: 70_000 });
      expect(del.code, del.stderr).toBe(0);
      expect(await getWork("keep")).toBeUndefined();
      expect((await memberGet(m1, ["configmap", "kept", "-n", "default"]))?.data).toEqual({ a: "1" });
    });

    it("says ClusterNotFound for a member that has not joined, then applies once it does", async () => {
      expect((await applyWork("pending", "late", [cm("late-cm", "default", { a: "1" })])).code).toBe(0);
      const w = await waitCondition("pending", "Applied", (c) => c.reason === "ClusterNotFound", "ClusterNotFound");
      expect(cond(w, "Applied")!.status).toBe("False");
      // member2 joins a second time, as profile "late".
      await joinMember(cs.hub, m2, { namespace: NS, secretName: "late", clusterName: "late" });
      await waitCondition("pending", "Applied", (c) => c.status === "True", "Applied after the join", 90_000);
      expect(await memberGet(m2, ["configmap", "late-cm", "-n", "default"])).toBeDefined();
    }, 300_000);
  });

  describe("deleting a Work", () => {
    it("removes its objects from the member before the Work goes", async () => {
      const del = await cs.hub.kubectl(["delete", "work", "web", "-n", NS, "--wait=false"], { check: true });
      expect(del.stdout).toMatch(/deleted/);
      const seen = await getWork("web");
      if (seen) expect(seen.metadata.deletionTimestamp).toBeTruthy(); // held by the finalizer meanwhile
      await until(async () => !(await getWork("web")), "the Work is gone", 120_000);
      // Nothing is left on the member once the Work is gone: the dispatcher waited for it.
      expect(await gone(m1, ["namespace", "app"])).toBe(true);
      expect(await gone(m1, ["configmap", "settings", "-n", "app"])).toBe(true);
    }, 300_000);
  });

  describe("a member outage", () => {
    it("shows on the Work, and the Work catches up when the member is back", async () => {
      expect((await applyWork("outage", "member2", [cm("o", "default", { v: "1" })])).code).toBe(0);
      await waitCondition("outage", "Applied", (c) => c.status === "True", "Applied");
      await m2.stopApiserver();
      try {
        expect((await applyWork("outage", "member2", [cm("o", "default", { v: "2" })])).code).toBe(0);
        const w = await waitCondition("outage", "Applied", (c) => c.reason === "ClusterUnreachable", "ClusterUnreachable", 90_000);
        expect(cond(w, "Applied")!.message).toMatch(/cannot reach fleet\/member2/);
      } finally {
        await m2.startApiserver();
      }
      await waitCondition("outage", "Applied", (c) => c.status === "True" && c.observedGeneration === 2, "Applied again after the member is back", 120_000);
      expect((await memberGet(m2, ["configmap", "o", "-n", "default"]))?.data).toEqual({ v: "2" });
    }, 300_000);
  });
});

describe("two replicas on etcd", () => {
  const G = "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/fleet/works";
  let rs: ClusterSet;
  let replica: OurServer;
  const clients = new Map<string, Direct>();
  const client = (s: OurServer) => {
    if (!clients.has(s.url)) clients.set(s.url, new Direct(rs, s.url));
    return clients.get(s.url)!;
  };
  const leads = async (s: OurServer) => /^clusterset_leader 1$/m.test((await client(s).request("GET", "/metrics")).body);
  const appliedOn = async (s: OurServer, name: string) => {
    const r = await client(s).request("GET", `${G}/${name}`);
    return r.status === 200 && cond(JSON.parse(r.body) as Work, "Applied")?.status === "True";
  };
  const create = (s: OurServer, name: string) =>
    client(s).request("POST", G, { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "Work", metadata: { name, labels: { "clusterset.dev/cluster": "member1" } }, spec: { workload: { manifests: [cm(name, "default", { by: name })] } } });

  beforeAll(async () => {
    rs = await startClusterSet({ members: 1, label: "works-replicas", server: { storage: "etcd" } });
    replica = await rs.startReplica();
    await joinMember(rs.hub, rs.members[0]!, { namespace: NS });
  });
  afterAll(async () => {
    for (const c of clients.values()) c.close();
    await rs?.stop();
  });

  it("the leader applies; killed, the other replica takes over applying within lease duration + retry", async () => {
    await until(async () => (await leads(rs.server)) !== (await leads(replica)), "exactly one leader");
    const [leader, follower] = (await leads(rs.server)) ? [rs.server, replica] : [replica, rs.server];
    expect((await create(follower, "before")).status).toBe(201);
    await until(() => appliedOn(follower, "before"), "a Work written through the follower is applied (by the leader)");
    await leader.kill9();
    clients.delete(leader.url);
    const killedAt = Date.now();
    expect((await create(follower, "after")).status).toBe(201);
    await until(() => appliedOn(follower, "after"), "the follower takes over applying", 60_000);
    // Lease duration 15 s + retry period 2 s, plus a loaded machine's slack.
    expect(Date.now() - killedAt).toBeLessThan(15_000 + 2_000 + 8_000);
    expect(await leads(follower)).toBe(true);
    expect((await memberGet(rs.members[0]!, ["configmap", "after", "-n", "default"]))?.data).toEqual({ by: "after" });
  }, 300_000);
});
