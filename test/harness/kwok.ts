/**
 * Nodes for a member, so its workloads behave as in a cluster: KWOK (sigs.k8s.io/kwok, pinned in test/go/kwok)
 * plays the kubelet of a few fake Nodes and of the Pods bound to them (its default "fast" stages: Nodes Ready with
 * a Lease, Pods Running and Ready with an IP, deleted Pods gone), and kube-scheduler (the release test/go/kube
 * pins) binds Pods to those Nodes. The member's controller-manager runs the workload controllers beside them
 * (NODE_CONTROLLERS, see cluster.ts). Both run as the member's admin, serve nothing, and are stopped by pid.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { binaries } from "./binaries.js";
import { goModuleDir, goTool, KWOK } from "./go-tools.js";
import type { HttpsResponse, RequestInit } from "./https.js";
import { spawnLogged, waitFor, type ManagedProcess } from "./processes.js";
import type { RunDir } from "./run-dir.js";

/** A fake Node: its capacity is what KWOK reports (and allocatable the same); without cpu/memory, KWOK's default (1k cpu, 1Ti). */
export interface KwokNode {
  name: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
}

/** KWOK manages exactly the Nodes carrying this annotation (a plain Node a test creates stays a plain API object). */
export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";
const KWOK_NODE_VALUE = "fake";

/**
 * What the controller-manager runs in addition on a member with Nodes: Deployments → ReplicaSets → Pods, the
 * EndpointSlices of Services (and of Endpoints without a selector), and node lifecycle, which lifts the
 * `node.kubernetes.io/not-ready` taint the apiserver puts on every new Node once KWOK reports it Ready.
 */
export const NODE_CONTROLLERS = ["deployment", "replicaset", "endpointslice", "endpointslicemirroring", "nodelifecycle"] as const;

/** KWOK renews each Node's Lease in kube-node-lease for this long (as kwokctl's default). */
const NODE_LEASE_SECONDS = 40;

/**
 * Node lifecycle's grace before a Node whose Lease went unrenewed is NotReady (default 50 s). KWOK never makes a
 * Pod Ready again once node lifecycle has marked it not Ready (a kubelet would), so a member's apiserver stopped
 * by a test, or KWOK starved on a busy machine, must not cost a member its running Pods for good.
 */
export const NODE_MONITOR_GRACE = "5m";

/** Pod IPs KWOK hands out: apart from the Service range (10.0.0.0/24, cluster.ts). */
const POD_CIDR = "10.244.0.0/16";

/** Three Nodes of 4 cpu and 16Gi each, named after the member: member1-node-1 … member1-node-3. */
export function defaultNodes(cluster: string): KwokNode[] {
  return [1, 2, 3].map((i) => ({ name: `${cluster}-node-${i}`, cpu: "4", memory: "16Gi" }));
}

export function kwokNodeManifest(n: KwokNode): Record<string, unknown> {
  const resources = n.cpu || n.memory ? { ...(n.cpu ? { cpu: n.cpu } : {}), ...(n.memory ? { memory: n.memory } : {}), pods: n.pods ?? "110" } : undefined;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: n.name,
      annotations: { [KWOK_NODE_ANNOTATION]: KWOK_NODE_VALUE },
      labels: { "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux", type: "kwok", ...n.labels },
    },
    // A Node keeps the status it is created with: KWOK then reports this capacity (its own default without one).
    ...(resources ? { status: { capacity: resources, allocatable: resources } } : {}),
  };
}

interface Member {
  name: string;
  runDir: RunDir;
  dir: string;
  kubeconfigPath: string;
  request(path: string, init?: RequestInit): Promise<HttpsResponse>;
}

interface NodeStatus {
  metadata: { name: string };
  spec?: { taints?: { key: string }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

/** Creates a KWOK Node on the member (POST); KWOK makes it Ready within moments. */
export async function addKwokNode(member: Pick<Member, "request">, n: KwokNode): Promise<void> {
  const res = await member.request("/api/v1/nodes", { method: "POST", body: kwokNodeManifest(n) });
  if (res.status !== 201) throw new Error(`creating Node ${n.name}: HTTP ${res.status} ${res.body}`);
}

/** Resolves when each named Node is Ready and has no taint left (schedulable). */
export function waitNodesReady(member: Pick<Member, "name" | "request">, names: readonly string[], proc?: ManagedProcess, timeoutMs = 120_000): Promise<true> {
  return waitFor(
    async (last) => {
      for (const name of names) {
        const res = await member.request(`/api/v1/nodes/${name}`);
        if (res.status !== 200) return void (last.reason = `Node ${name}: HTTP ${res.status}`);
        const node = res.json<NodeStatus>();
        const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status;
        const taints = node.spec?.taints?.map((t) => t.key) ?? [];
        if (ready !== "True" || taints.length) return void (last.reason = `Node ${name}: Ready ${ready ?? "absent"}, taints [${taints.join(", ")}]`);
      }
      return true;
    },
    { what: `${member.name} Nodes ready (${names.join(", ")})`, proc, timeoutMs },
  );
}

export interface NodeAgents {
  kwok: ManagedProcess;
  scheduler: ManagedProcess;
  /** Stops KWOK and the scheduler (by pid). */
  stop(): Promise<void>;
}

/**
 * Starts kube-scheduler and KWOK beside a member's controller-manager (which must run NODE_CONTROLLERS), creates
 * `nodes`, and resolves once they are Ready and untainted.
 */
export async function startNodeAgents(member: Member, nodes: readonly KwokNode[]): Promise<NodeAgents> {
  const [bins, kwokBin, kwokDir] = await Promise.all([binaries(), goTool("kwok", "kwok", KWOK), goModuleDir("kwok", "sigs.k8s.io/kwok")]);
  const { name, runDir, kubeconfigPath } = member;
  const scheduler = spawnLogged({
    name: `${name}/kube-scheduler`,
    command: bins.kubeScheduler,
    // Serves nothing (no fixed port to collide between members); no election: one scheduler per member.
    args: [`--kubeconfig=${kubeconfigPath}`, "--bind-address=127.0.0.1", "--secure-port=0", "--leader-elect=false"],
    runDir,
  });
  // KWOK reads ~/.kwok/kwok.yaml when there is one: a home of its own keeps a user's file out of the tests.
  const home = path.join(member.dir, "kwok-home");
  mkdirSync(home, { recursive: true });
  const kwok = spawnLogged({
    name: `${name}/kwok`,
    command: kwokBin,
    args: [
      `--kubeconfig=${kubeconfigPath}`,
      // The stages of the pinned module as published (node-fast, node heartbeat with Lease, pod-fast): the
      // kwok binary itself has none built in (kwokctl adds them), so they come from the module's kustomization.
      `--config=${path.join(kwokDir, "kustomize", "stage", "fast")}`,
      // Without a lease duration this binary keeps no Node Leases (kwokctl sets one; the default here is 0), and
      // node lifecycle then takes every Node for dead after its grace period and marks their Pods not Ready.
      `--node-lease-duration-seconds=${NODE_LEASE_SECONDS}`,
      "--manage-all-nodes=false",
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=${KWOK_NODE_VALUE}`,
      `--cidr=${POD_CIDR}`,
    ],
    runDir,
    env: { ...process.env, HOME: home },
  });
  const agents: NodeAgents = {
    kwok,
    scheduler,
    async stop() {
      await Promise.all([kwok.stop(), scheduler.stop()]);
    },
  };
  try {
    for (const n of nodes) await addKwokNode(member, n);
    await waitNodesReady(member, nodes.map((n) => n.name), kwok);
    if (!scheduler.running()) throw new Error(`${scheduler.name} exited; last lines of ${scheduler.logPath}:\n${scheduler.tail()}`);
    return agents;
  } catch (e) {
    await agents.stop();
    throw e;
  }
}
