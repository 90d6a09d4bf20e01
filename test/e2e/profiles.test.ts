/**
 * The federated view (issue 6): real member kube-apiservers join the real hub through Secrets, and their
 * ClusterProfiles are computed from them and kept fresh. Driven with kubectl and a raw watch through the hub.
 * Each member has the harness's three KWOK Nodes (4 cpu, 16Gi each); the Node properties are checked against
 * them, against a Node whose capacity only KWOK gives it, and against Nodes added and removed.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { kubeVersion } from "../harness/binaries.js";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { httpsRequest } from "../harness/https.js";
import { joinMember, memberKubeconfig, unjoinMember } from "../harness/join.js";
import { writeUserKubeconfig } from "../harness/kubeconfig.js";
import { addKwokNode, kwokNodeManifest, waitNodesReady } from "../harness/kwok.js";
import { until } from "../harness/processes.js";
import { HubWatch } from "./support/hub-watch.js";

const NS = "fleet";
let cs: ClusterSet;

interface Condition { type: string; status: string; reason: string; message: string; lastTransitionTime: string }
interface Profile {
  metadata: { name: string; uid: string; resourceVersion: string; labels?: Record<string, string> };
  spec: { displayName?: string; clusterManager: { name: string } };
  status?: { version?: { kubernetes?: string }; conditions?: Condition[]; properties?: { name: string; value: string }[]; accessProviders?: unknown[] };
}


async function profile(name: string, ns = NS): Promise<Profile | undefined> {
  const r = await cs.hub.kubectl(["get", "clusterprofile", name, "-n", ns, "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as Profile) : undefined;
}
const cond = (p: Profile | undefined, type: string) => p?.status?.conditions?.find((c) => c.type === type);
const prop = (p: Profile | undefined, name: string) => p?.status?.properties?.find((x) => x.name === name)?.value;

const aboutCrd = "resources/crds/about.k8s.io_clusterproperties.yaml";
const property = (name: string, value: string) => JSON.stringify({ apiVersion: "about.k8s.io/v1alpha1", kind: "ClusterProperty", metadata: { name }, spec: { value } });
interface MemberNode {
  metadata: { name: string; annotations?: Record<string, string> };
  status: { capacity: Record<string, string>; conditions?: { type: string; status: string }[]; nodeInfo?: { kubeletVersion?: string } };
}
async function memberNodes(i: number): Promise<MemberNode[]> {
  const r = await cs.members[i]!.kubectl(["get", "nodes", "-o", "json"], { check: true });
  return (JSON.parse(r.stdout) as { items: MemberNode[] }).items;
}

beforeAll(async () => {
  cs = await startClusterSet({ members: 2, label: "profiles" });
  for (const m of cs.members) {
    await m.kubectl(["apply", "-f", aboutCrd], { check: true });
    await m.kubectl(["wait", "--for=condition=Established", "crd/clusterproperties.about.k8s.io", "--timeout=60s"], { check: true });
    await m.kubectl(["create", "-f", "-"], { input: property("cluster.clusterset.k8s.io", `${m.name}-id`), check: true });
  }
  await joinMember(cs.hub, cs.members[0]!, { namespace: NS, displayName: "Member One", namespaceLabels: { "multicluster.x-k8s.io/clusterset": "set-a" } });
  // Same namespace labels: joinMember applies the namespace, and apply would drop labels it does not list.
  await joinMember(cs.hub, cs.members[1]!, { namespace: NS, namespaceLabels: { "multicluster.x-k8s.io/clusterset": "set-a" } });
});
afterAll(async () => {
  await cs?.stop();
});

describe("joined members", () => {
  it("appear with the version, health and properties of the live members", async () => {
    await until(async () => {
      const r = await cs.hub.kubectl(["get", "clusterprofiles", "-A"]);
      const v = kubeVersion.replaceAll(".", "\\.");
      return new RegExp(`member1\\s+Member One\\s+clusterset-apiserver\\s+${v}\\s+True`).test(r.stdout) && new RegExp(`member2\\s+\\S*\\s*clusterset-apiserver\\s+${v}\\s+True`).test(r.stdout);
    }, "both members listed healthy");
    const p = (await profile("member1"))!;
    expect(p.metadata.labels).toMatchObject({ "x-k8s.io/cluster-manager": "clusterset-apiserver", "multicluster.x-k8s.io/clusterset": "set-a", "multicluster.x-k8s.io/inventory-member-id": "member1-id" });
    expect(p.spec).toEqual({ clusterManager: { name: "clusterset-apiserver" }, displayName: "Member One" });
    expect(cond(p, "Joined")?.status).toBe("True");
    expect(prop(p, "cluster.clusterset.k8s.io")).toBe("member1-id");
    // The member's Nodes are KWOK's: Ready, reported by its kubelet stand-in, with the harness's capacity.
    const nodes = await memberNodes(0);
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(["member1-node-1", "member1-node-2", "member1-node-3"]);
    for (const n of nodes) {
      expect(n.status.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
      expect(n.status.nodeInfo?.kubeletVersion).toMatch(/^kwok-/);
      expect(n.status.capacity).toMatchObject({ cpu: "4", memory: "16Gi" });
    }
    expect(prop(p, "clusterset.dev/node-count")).toBe("3");
    expect(prop(p, "clusterset.dev/cpu-capacity")).toBe("12");
    expect(prop(p, "clusterset.dev/memory-capacity")).toBe("48Gi");
    expect(prop(p, "clusterset.dev/cpu-allocatable")).toBe("12");
    expect(prop(p, "clusterset.dev/memory-allocatable")).toBe("48Gi");
    // The access provider names the member and its Secret, never a credential.
    const raw = JSON.stringify(p);
    expect(raw).toContain(cs.members[0]!.url);
    for (const secret of [cs.members[0]!.pki.admin.keyPem]) expect(raw).not.toContain(secret.split("\n")[1]);
    expect(raw).not.toMatch(/client-key-data|"token"|password/);
  });

  it("brings a ClusterProperty change and a new KWOK Node to a hub watch within the freshness bound", async () => {
    const start = await profile("member1");
    const watch = await HubWatch.open(cs, `/apis/multicluster.x-k8s.io/v1alpha1/namespaces/${NS}/clusterprofiles?watch=1&resourceVersion=${start!.metadata.resourceVersion}`);
    try {
      const t0 = Date.now();
      await cs.members[0]!.kubectl(["patch", "clusterproperty", "cluster.clusterset.k8s.io", "--type=merge", "-p", JSON.stringify({ spec: { value: "changed-id" } })], { check: true });
      const ev = await watch.next((e) => e.type === "MODIFIED" && prop(e.object as unknown as Profile, "cluster.clusterset.k8s.io") === "changed-id", 10_000);
      const propertyMs = Date.now() - t0;
      expect(ev.object.metadata.name).toBe("member1");
      expect((ev.object as unknown as Profile).metadata.labels?.["multicluster.x-k8s.io/inventory-member-id"]).toBe("changed-id");
      const t1 = Date.now();
      const added = kwokNodeManifest({ name: "member1-node-4", cpu: "2", memory: "4Gi" });
      await cs.members[0]!.kubectl(["create", "-f", "-"], { input: JSON.stringify(added), check: true });
      const ev2 = await watch.next((e) => prop(e.object as unknown as Profile, "clusterset.dev/node-count") === "4", 10_000);
      const nodeMs = Date.now() - t1;
      expect(prop(ev2.object as unknown as Profile, "clusterset.dev/cpu-capacity")).toBe("14");
      expect(prop(ev2.object as unknown as Profile, "clusterset.dev/memory-capacity")).toBe("52Gi");
      // Contract: 1 s. The bound here allows for kubectl start-up and a loaded 2-core machine; bench measures p99.
      expect(propertyMs).toBeLessThan(3_000);
      expect(nodeMs).toBeLessThan(3_000);
    } finally {
      watch.close();
    }
  });

  it("follows KWOK's Nodes: capacity only KWOK reports, and a Node removed (within the freshness bound)", async () => {
    const m1 = cs.members[0]!;
    await waitNodesReady(m1, ["member1-node-4"]);
    // Created without any status: what capacity it has, KWOK gives it (its default, 1k cpu and 1Ti).
    await addKwokNode(m1, { name: "member1-bare" });
    await waitNodesReady(m1, ["member1-bare"]);
    const bare = (await memberNodes(0)).find((n) => n.metadata.name === "member1-bare")!;
    expect(bare.status.capacity).toMatchObject({ cpu: "1k", memory: "1Ti" });
    const p = await until(async () => {
      const q = await profile("member1");
      return prop(q, "clusterset.dev/node-count") === "5" && prop(q, "clusterset.dev/cpu-capacity") === "1014" ? q : undefined;
    }, "member1's profile with KWOK's capacity for member1-bare", 30_000);
    expect(prop(p, "clusterset.dev/memory-capacity")).toBe("1076Gi");
    expect(prop(p, "clusterset.dev/cpu-allocatable")).toBe("1014");

    const watch = await HubWatch.open(cs, `/apis/multicluster.x-k8s.io/v1alpha1/namespaces/${NS}/clusterprofiles?watch=1&resourceVersion=${p.metadata.resourceVersion}`);
    try {
      const t0 = Date.now();
      await m1.kubectl(["delete", "node", "member1-node-1", "--wait=false"], { check: true });
      const ev = await watch.next((e) => e.object.metadata.name === "member1" && prop(e.object as unknown as Profile, "clusterset.dev/node-count") === "4", 10_000);
      const removedMs = Date.now() - t0;
      expect(prop(ev.object as unknown as Profile, "clusterset.dev/cpu-capacity")).toBe("1010");
      expect(prop(ev.object as unknown as Profile, "clusterset.dev/memory-capacity")).toBe("1060Gi");
      // Contract: 1 s, with the same tolerance as above (kubectl start-up, a loaded 2-core machine).
      expect(removedMs).toBeLessThan(3_000);
    } finally {
      watch.close();
    }
    // member2's Nodes are its own three.
    expect(prop(await profile("member2"), "clusterset.dev/node-count")).toBe("3");
  });

  it("turns ControlPlaneHealthy False when a member stops, and True when it is back", async () => {
    const m2 = cs.members[1]!;
    const t0 = Date.now();
    // Measured from the stop signal: kube-apiserver refuses connections at once, while its process may take
    // a while to drain open watches and exit.
    const stopping = m2.stopApiserver();
    const down = await until(async () => {
      const c = cond(await profile("member2"), "ControlPlaneHealthy");
      return c?.status === "False" ? c : undefined;
    }, "member2 unhealthy", 30_000);
    const downMs = Date.now() - t0;
    expect(down.reason).toMatch(/Unreachable/);
    expect(downMs).toBeLessThan(15_000); // contract 10 s, tolerance for a loaded machine
    await stopping;
    await m2.startApiserver();
    await until(async () => cond(await profile("member2"), "ControlPlaneHealthy")?.status === "True", "member2 healthy again", 30_000);
  });

  it("refuses spec, status and delete on a joined profile, and keeps labels users add", async () => {
    const del = await cs.hub.kubectl(["delete", "clusterprofile", "member2", "-n", NS, "--wait=false"]);
    expect(del.stderr).toContain(`delete Secret ${NS}/member2 to remove the member`);
    const spec = await cs.hub.kubectl(["patch", "clusterprofile", "member2", "-n", NS, "--type=merge", "-p", '{"spec":{"displayName":"x"}}']);
    expect(spec.stderr).toMatch(/spec: Forbidden: a joined member's spec comes from its Secret/);
    const status = await httpsRequest(
      `${cs.hub.url}/apis/multicluster.x-k8s.io/v1alpha1/namespaces/${NS}/clusterprofiles/member2/status`,
      { ca: cs.hub.caPem, cert: cs.hub.pki.admin.certPem, key: cs.hub.pki.admin.keyPem },
      { method: "PATCH", headers: { "content-type": "application/merge-patch+json" }, body: JSON.stringify({ status: { version: { kubernetes: "v9" } } }) },
    );
    expect(status.status).toBe(422);
    expect(status.json<{ details: { causes: { field: string; reason: string; message: string }[] } }>().details.causes[0]).toMatchObject({ field: "status", reason: "FieldValueForbidden" });
    expect(status.body).toContain("computed by clusterset-apiserver");
    await cs.hub.kubectl(["label", "clusterprofile", "member2", "-n", NS, "team=blue"], { check: true });
    expect((await profile("member2"))!.metadata.labels?.team).toBe("blue");
  });

  it("delivers DELETED when the Secret goes", async () => {
    const start = await profile("member2");
    const watch = await HubWatch.open(cs, `/apis/multicluster.x-k8s.io/v1alpha1/namespaces/${NS}/clusterprofiles?watch=1&resourceVersion=${start!.metadata.resourceVersion}`);
    try {
      await unjoinMember(cs.hub, { namespace: NS, secretName: "member2" });
      const ev = await watch.next((e) => e.type === "DELETED", 20_000);
      expect(ev.object.metadata.name).toBe("member2");
    } finally {
      watch.close();
    }
    expect(await profile("member2")).toBeUndefined();
  });
});

describe("joining rules", () => {
  it("`clusterset-apiserver join` writes a flattened Secret from a kubeconfig context with file paths", async () => {
    const m = cs.members[1]!;
    const dir = cs.runDir.sub("join-cli");
    const kubeconfig = path.join(dir, "config");
    writeUserKubeconfig(kubeconfig, cs.hub, m, "edge-7");
    await cs.hub.kubectl(["create", "namespace", "cli"], { check: true });
    const run = spawnSync(process.execPath, ["--import", "tsx", "main.ts", "join", "--kubeconfig", kubeconfig, "--context", "edge-7", "--namespace", "cli", "--display-name", "Edge 7"], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("secret cli/edge-7 created");
    const data = (await cs.hub.kubectl(["get", "secret", "edge-7", "-n", "cli", "-o", "jsonpath={.data.kubeconfig}"], { check: true })).stdout;
    const stored = Buffer.from(data, "base64").toString();
    expect(stored).toContain("client-key-data");
    expect(stored).not.toContain(m.pki.admin.keyPath);
    const p = await until(async () => {
      const x = await profile("edge-7", "cli");
      return cond(x, "ControlPlaneHealthy")?.status === "True" ? x : undefined;
    }, "CLI-joined member healthy");
    expect(p.spec.displayName).toBe("Edge 7");
    const bad = spawnSync(process.execPath, ["--import", "tsx", "main.ts", "join", "--kubeconfig", kubeconfig, "--context", "nope", "--namespace", "cli"], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('no context named "nope"');
  });

  it("joins a Cluster API kubeconfig Secret and ignores Cluster API's other Secrets", async () => {
    const kc = Buffer.from(memberKubeconfig(cs.members[1]!)).toString("base64");
    const capi = (name: string) => ({ apiVersion: "v1", kind: "Secret", type: "cluster.x-k8s.io/secret", metadata: { name, namespace: "capi", labels: { "cluster.x-k8s.io/cluster-name": "work-1" } }, data: { value: kc } });
    await cs.hub.kubectl(["create", "namespace", "capi"], { check: true });
    await cs.hub.kubectl(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: [capi("work-1-ca"), capi("work-1-kubeconfig"), capi("work-1-etcd")] }), check: true });
    await until(async () => cond(await profile("work-1", "capi"), "ControlPlaneHealthy")?.status === "True", "CAPI member joined");
    const names = (await cs.hub.kubectl(["get", "clusterprofiles", "-n", "capi", "-o", "name"], { check: true })).stdout.trim().split("\n");
    expect(names).toEqual(["clusterprofile.multicluster.x-k8s.io/work-1"]);
  });

  it("says why a garbage kubeconfig cannot join, and nothing else is affected", async () => {
    await cs.hub.kubectl(["create", "secret", "generic", "broken", "-n", NS, "--type=clusterset.dev/kubeconfig", "--from-literal=kubeconfig=this: [is not a kubeconfig"], { check: true });
    const joined = await until(async () => {
      const c = cond(await profile("broken"), "Joined");
      return c?.status === "False" ? c : undefined;
    }, "broken member Joined=False");
    expect(joined.reason).toBeTruthy();
    expect(joined.message.length).toBeGreaterThan(10);
    expect(cond(await profile("member1"), "ControlPlaneHealthy")?.status).toBe("True");
  });

  it("says Unauthorized when the member refuses the kubeconfig's credentials", async () => {
    const m = cs.members[0]!;
    // A client certificate the member does not trust (signed by the hub's CA).
    const kubeconfig = stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "m", cluster: { server: m.url, "certificate-authority-data": Buffer.from(m.caPem).toString("base64") } }],
      users: [{ name: "u", user: { "client-certificate-data": Buffer.from(cs.hub.pki.admin.certPem).toString("base64"), "client-key-data": Buffer.from(cs.hub.pki.admin.keyPem).toString("base64") } }],
      contexts: [{ name: "c", context: { cluster: "m", user: "u" } }],
      "current-context": "c",
    });
    await joinMember(cs.hub, m, { namespace: "creds", secretName: "wrong-creds", kubeconfig });
    const health = await until(async () => {
      const c = cond(await profile("wrong-creds", "creds"), "ControlPlaneHealthy");
      return c?.status === "False" ? c : undefined;
    }, "wrong credentials reported");
    expect(health.reason).toBe("Unauthorized");
    expect(cond(await profile("wrong-creds", "creds"), "Joined")?.status).toBe("False");
  });

  it("resolves two Secrets naming one profile: the older wins and the Joined message names the other", async () => {
    await joinMember(cs.hub, cs.members[0]!, { namespace: "dups", secretName: "a-older", clusterName: "shared" });
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamps have whole seconds
    await joinMember(cs.hub, cs.members[1]!, { namespace: "dups", secretName: "b-newer", clusterName: "shared" });
    const p = await until(async () => {
      const x = await profile("shared", "dups");
      return cond(x, "Joined")?.message.includes("b-newer") ? x : undefined;
    }, "Joined message names the ignored Secret");
    expect(JSON.stringify(p.status?.accessProviders)).toContain(cs.members[0]!.url);
  });

  it("labels each member with its inventory member id: stable, unique in the namespace, else the kube-system uid", async () => {
    const m = cs.members[1]!;
    const id = async (name: string, ns: string) => (await profile(name, ns))?.metadata.labels?.["multicluster.x-k8s.io/inventory-member-id"];
    await joinMember(cs.hub, m, { namespace: "ids", secretName: "first" });
    await until(async () => (await id("first", "ids")) === "member2-id", "first profile labelled with the member's cluster id");
    // The same cluster joined a second time in that namespace: the id is the first profile's.
    await joinMember(cs.hub, m, { namespace: "ids", secretName: "second" });
    await until(async () => cond(await profile("second", "ids"), "ControlPlaneHealthy")?.status === "True", "second profile healthy");
    expect(await id("second", "ids")).toBeUndefined();
    // The first holder leaves: the second takes the id.
    await unjoinMember(cs.hub, { namespace: "ids", secretName: "first" });
    await until(async () => (await id("second", "ids")) === "member2-id", "second profile takes the id once the first is gone");
    // The cluster id property goes away: the id stays what it was (stable for the member's life).
    await m.kubectl(["delete", "clusterproperty", "cluster.clusterset.k8s.io"], { check: true });
    await until(async () => prop(await profile("second", "ids"), "cluster.clusterset.k8s.io") === undefined, "property gone from the profile");
    expect(await id("second", "ids")).toBe("member2-id");
    // Joined afresh elsewhere, with no cluster id property: its kube-system namespace's uid.
    const uid = (await m.kubectl(["get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}"], { check: true })).stdout.trim();
    await joinMember(cs.hub, m, { namespace: "ids-uid", secretName: "fresh" });
    await until(async () => (await id("fresh", "ids-uid")) === uid, "fresh profile labelled with the kube-system uid");
    await m.kubectl(["create", "-f", "-"], { input: property("cluster.clusterset.k8s.io", "member2-id"), check: true });
  });

  it("adopts a user-made profile that names us as its manager, keeping its uid; leaves others alone", async () => {
    const mk = (name: string, manager: string) => JSON.stringify({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ClusterProfile", metadata: { name, namespace: "adopt" }, spec: { clusterManager: { name: manager } } });
    await cs.hub.kubectl(["create", "namespace", "adopt"], { check: true });
    await cs.hub.kubectl(["create", "-f", "-"], { input: mk("mine", "clusterset-apiserver"), check: true });
    await cs.hub.kubectl(["create", "-f", "-"], { input: mk("theirs", "other-manager"), check: true });
    const uid = (await profile("mine", "adopt"))!.metadata.uid;
    const theirs = (await profile("theirs", "adopt"))!;
    await joinMember(cs.hub, cs.members[0]!, { namespace: "adopt", secretName: "mine" });
    await joinMember(cs.hub, cs.members[1]!, { namespace: "adopt", secretName: "theirs" });
    const adopted = await until(async () => {
      const p = await profile("mine", "adopt");
      return cond(p, "Joined")?.status === "True" ? p : undefined;
    }, "profile adopted");
    expect(adopted.metadata.uid).toBe(uid);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await profile("theirs", "adopt"))!.metadata.resourceVersion).toBe(theirs.metadata.resourceVersion);
    // The adopted profile outlives its Secret, with Joined=False.
    await unjoinMember(cs.hub, { namespace: "adopt", secretName: "mine" });
    const left = await until(async () => {
      const p = await profile("mine", "adopt");
      return cond(p, "Joined")?.status === "False" ? p : undefined;
    }, "adopted profile stays with Joined=False");
    expect(left.metadata.uid).toBe(uid);
  });
});
