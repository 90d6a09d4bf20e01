/**
 * `npm start`: a local ClusterSet on this machine. A real hub and two real members (kube-apiserver from test/go/kube,
 * each with its controller-manager, kube-scheduler and KWOK Nodes, as in the tests), our server on embedded
 * storage registered as the hub's multicluster.x-k8s.io/v1alpha1, the members joined, some demo content (About
 * API ClusterProperties on the members, a Work whose Deployment lands on member1), and two demo users. Prints
 * the KUBECONFIG to use; Ctrl-C removes the APIService, then stops every process it started.
 */
import path from "node:path";
import { stringify } from "yaml";
import { binaries } from "./binaries.js";
import { goTool, KWOK } from "./go-tools.js";
import type { Cluster } from "./cluster.js";
import { startClusterSet, type ClusterSet } from "./clusterset.js";
import { joinMember } from "./join.js";
import { defaultNodes, type KwokNode } from "./kwok.js";
import { isolateChildrenFromTerminal } from "./processes.js";
import { progress } from "./progress.js";
import { repoRoot } from "./run-dir.js";
import { userKubeconfig, type UserCredentials } from "./users.js";

const FLEET_NAMESPACE = "fleet";
const CLUSTERSET = "local";

/** The About API CRD: the repo's copy of the upstream CRD (resources/crds/README.md records its version). */
function aboutCrdPath(): string {
  return path.join(repoRoot, "resources", "crds", "about.k8s.io_clusterproperties.yaml");
}

/** Per member: its KWOK Nodes (KWOK plays their kubelets: Pods bound to them run, with IPs). */
const demoNodes: Record<string, KwokNode[]> = {
  member1: [
    { name: "node-a", cpu: "4", memory: "16Gi" },
    { name: "node-b", cpu: "4", memory: "16Gi" },
  ],
  member2: [{ name: "node-c", cpu: "8", memory: "32Gi" }],
};

/** A Work for member1: a Deployment of 2 replicas and its Service, in namespace demo. */
const demoWork = {
  apiVersion: "multicluster.x-k8s.io/v1alpha1",
  kind: "Work",
  metadata: { name: "hello", namespace: FLEET_NAMESPACE, labels: { "clusterset.dev/cluster": "member1" } },
  spec: {
    workload: {
      manifests: [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } },
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "hello", namespace: "demo" },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: "hello" } },
            template: { metadata: { labels: { app: "hello" } }, spec: { containers: [{ name: "hello", image: "nginx:1.25", ports: [{ containerPort: 80 }] }] } },
          },
        },
        { apiVersion: "v1", kind: "Service", metadata: { name: "hello", namespace: "demo" }, spec: { selector: { app: "hello" }, ports: [{ port: 80 }] } },
      ],
    },
  },
};

async function seedMember(member: Cluster, crdPath: string): Promise<void> {
  await member.kubectl(["apply", "-f", crdPath], { check: true });
  await member.kubectl(["wait", "--for=condition=Established", "crd/clusterproperties.about.k8s.io", "--timeout=60s"], {
    check: true,
  });
  // KEP-2149: the cluster id is conventionally the kube-system namespace's uid.
  const ks = await member.request("/api/v1/namespaces/kube-system");
  const clusterId = ks.json<{ metadata: { uid: string } }>().metadata.uid;
  const docs: object[] = [
    { apiVersion: "about.k8s.io/v1alpha1", kind: "ClusterProperty", metadata: { name: "cluster.clusterset.k8s.io" }, spec: { value: clusterId } },
    { apiVersion: "about.k8s.io/v1alpha1", kind: "ClusterProperty", metadata: { name: "clusterset.k8s.io" }, spec: { value: CLUSTERSET } },
  ];
  await member.kubectl(["create", "-f", "-"], { input: docs.map((d) => stringify(d)).join("---\n"), check: true });
}

async function demoUsers(cs: ClusterSet): Promise<{ reader: UserCredentials; outsider: UserCredentials }> {
  await cs.hub.kubectl(["create", "clusterrolebinding", "demo-reader-view", "--clusterrole=view", "--user=demo-reader"], {
    check: true,
  });
  const [reader, outsider] = await Promise.all([
    userKubeconfig(cs.hub, { cn: "demo-reader" }),
    userKubeconfig(cs.hub, { cn: "demo-outsider" }),
  ]);
  return { reader, outsider };
}

function summary(cs: ClusterSet, users: { reader: UserCredentials; outsider: UserCredentials }, secs: string): string {
  const lines = [
    "",
    `Local ClusterSet ready in ${secs}s: hub + ${cs.members.length} members, clusterset-apiserver at ${cs.server.url}.`,
    "",
    "Use the hub (as admin):",
    `  export KUBECONFIG=${cs.adminKubeconfig}`,
    `  kubectl get clusterprofiles -n ${FLEET_NAMESPACE} -o wide`,
    "  kubectl get multicluster -A",
    "",
    "Demo users on the hub:",
    `  demo-reader   (ClusterRole view):  KUBECONFIG=${users.reader.kubeconfigPath} kubectl get clusterprofiles -n ${FLEET_NAMESPACE}`,
    `  demo-outsider (no RBAC, forbidden): KUBECONFIG=${users.outsider.kubeconfigPath} kubectl get clusterprofiles -n ${FLEET_NAMESPACE}`,
    "",
    `Work ${FLEET_NAMESPACE}/hello runs a Deployment of 2 on member1 (KWOK Nodes: its Pods run, with IPs):`,
    `  kubectl get works -n ${FLEET_NAMESPACE}; kubectl wait --for=condition=Available work/hello -n ${FLEET_NAMESPACE}`,
    `  KUBECONFIG=${cs.members[0]?.kubeconfigPath ?? "-"} kubectl get pods,endpointslices -n demo -o wide`,
    "",
    `Members (joined by Secrets in hub namespace ${FLEET_NAMESPACE}):`,
    ...cs.members.map((m) => `  ${m.name}: ${m.url}  KUBECONFIG=${m.kubeconfigPath}`),
    "",
    `Logs: ${path.join(cs.runDir.path, "logs")}  (server: ${cs.server.proc?.logPath ?? "-"})`,
    "Ctrl-C stops everything (APIService first).",
    "",
  ];
  return lines.join("\n");
}

let cs: ClusterSet | undefined;

async function main(): Promise<void> {
  // Our Ctrl-C handler stops the children in order; the terminal's SIGINT must not reach them first.
  isolateChildrenFromTerminal();
  const t0 = Date.now();
  let stoppingSince = 0;
  const stop = async (why: string, code: number) => {
    if (stoppingSince) {
      // One Ctrl-C often arrives twice (the terminal signals npm, tsx and us; tsx relays it too): only a
      // later, deliberate second Ctrl-C means "do not wait".
      if (Date.now() - stoppingSince < 2_000) return;
      progress("second Ctrl-C: killing every process now");
      process.exit(130); // the exit hook SIGKILLs every child
    }
    stoppingSince = Date.now();
    progress(`${why}: removing the APIService, then stopping every process`);
    try {
      await cs?.stop();
      progress("stopped");
    } finally {
      process.exit(code);
    }
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => void stop(sig, 0));

  progress("provisioning kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd and KWOK (a first run builds them from their Go modules: 20-30 minutes)");
  await Promise.all([binaries(), goTool("kwok", "kwok", KWOK)]);
  const crdPath = aboutCrdPath();
  // CLUSTERSET_SERVER_ENTRY runs another build of the server, e.g. dist/main.js.
  const entry = process.env.CLUSTERSET_SERVER_ENTRY;
  cs = await startClusterSet({
    members: 2,
    label: "local",
    memberNodes: (member) => demoNodes[member] ?? defaultNodes(member),
    server: entry ? { entry: path.resolve(entry) } : {},
  });
  const set = cs;
  progress("installing the About API CRD and ClusterProperties on the members");
  await Promise.all(set.members.map((m) => seedMember(m, crdPath)));
  progress(`joining the members in hub namespace ${FLEET_NAMESPACE}`);
  for (const [i, m] of set.members.entries()) {
    await joinMember(set.hub, m, {
      namespace: FLEET_NAMESPACE,
      namespaceLabels: { "multicluster.x-k8s.io/clusterset": CLUSTERSET },
      displayName: `Member ${i + 1}`,
    });
  }
  progress("creating Work hello (a Deployment of 2 and its Service) for member1");
  await set.hub.kubectl(["apply", "-f", "-"], { input: JSON.stringify(demoWork), check: true });
  progress("creating demo users demo-reader and demo-outsider");
  const users = await demoUsers(set);
  process.stdout.write(summary(set, users, ((Date.now() - t0) / 1000).toFixed(1)));
}

main().catch(async (e: unknown) => {
  process.stderr.write(`\nlocal ClusterSet failed: ${(e as Error).stack ?? String(e)}\n`);
  // startClusterSet cleans up after itself; what came after it (seeding, joining) leaves a running set.
  await cs?.stop({ keepLogs: true }).catch(() => {});
  process.exit(1);
});
