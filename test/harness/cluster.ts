/**
 * One real Kubernetes control plane on loopback: etcd + kube-apiserver (+ kube-controller-manager
 * running what a control plane without nodes needs: namespace deletion, garbage collection, service
 * accounts and their tokens, ClusterRole aggregation). Hub and members are started the same way; a cluster
 * with `nodes` (every member of a cluster set) also gets fake Nodes run by KWOK, kube-scheduler, and the
 * workload controllers (kwok.ts), so Deployments get Running Pods and Services their EndpointSlices.
 */
import path from "node:path";
import { binaries } from "./binaries.js";
import { startEtcd, type Etcd } from "./etcd.js";
import { httpsRequest, waitForHttpsOk, type HttpsResponse, type RequestInit } from "./https.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { NODE_CONTROLLERS, NODE_MONITOR_GRACE, startNodeAgents, type KwokNode, type NodeAgents } from "./kwok.js";
import { runKubectl, type KubectlOptions, type KubectlResult } from "./kubectl.js";
import { createClusterPki, type ClusterPki } from "./pki.js";
import { freePort, lostPortRace, spawnLogged, waitFor, type ManagedProcess } from "./processes.js";
import { progress } from "./progress.js";
import { createRunDir, type RunDir } from "./run-dir.js";

export interface StartClusterOptions {
  /** "hub", "member1", …: names the directory, logs and kubeconfig context. */
  name: string;
  /** Start kube-controller-manager too (default true). */
  controllerManager?: boolean;
  /** Share a run directory (a cluster set does); by default the cluster makes and owns one. */
  runDir?: RunDir;
  /** Extra kube-apiserver flags, appended last (a later flag wins). */
  apiserverFlags?: string[];
  /**
   * Fake Nodes run by KWOK, with kube-scheduler and the controller-manager's workload controllers (needs the
   * controller-manager). Default: none.
   */
  nodes?: readonly KwokNode[];
}

export interface Cluster {
  name: string;
  /** https://127.0.0.1:<port> */
  url: string;
  port: number;
  /** The cluster CA (serving and client certificates). */
  caPem: string;
  /** Admin (system:masters) kubeconfig, flattened. */
  kubeconfigPath: string;
  runDir: RunDir;
  /** This cluster's directory inside the run directory. */
  dir: string;
  pki: ClusterPki;
  etcdUrl: string;
  processes: { etcd: ManagedProcess; apiserver: ManagedProcess; controllerManager?: ManagedProcess; kwok?: ManagedProcess; scheduler?: ManagedProcess };
  /** Runs kubectl as admin against this cluster; never throws unless `opts.check`. */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** An HTTPS request as admin, `path` relative to the server (e.g. "/api/v1/namespaces"). */
  request(path: string, init?: RequestInit): Promise<HttpsResponse>;
  /** Stops only kube-apiserver (a member outage, as the hub sees it); etcd and the controller-manager stay. */
  stopApiserver(): Promise<void>;
  /** Starts kube-apiserver again on the same port and flags, and waits for /readyz. */
  startApiserver(): Promise<void>;
  /** Stops KWOK and kube-scheduler, controller-manager, kube-apiserver, etcd (by pid); closes the run directory if the cluster owns it. */
  stop(opts?: { keepLogs?: boolean }): Promise<void>;
}

export async function startCluster(opts: StartClusterOptions): Promise<Cluster> {
  const { name } = opts;
  const ownsRunDir = !opts.runDir;
  const runDir = opts.runDir ?? createRunDir(name);
  const dir = runDir.sub(name);
  const withNodes = (opts.nodes?.length ?? 0) > 0;
  if (withNodes && opts.controllerManager === false) throw new Error(`${name}: nodes need the controller-manager (node lifecycle lifts their not-ready taint)`);
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const t0 = Date.now();
    const [bins, pki] = await Promise.all([binaries(), createClusterPki(runDir.sub(name, "pki"))]);
    const etcd = await startEtcd(runDir, name);
    started.push(etcd);
    progress(`${name}: etcd up at ${etcd.url}`);
    const first = await startApiserver(runDir, name, bins.kubeApiserver, pki, etcd, opts.apiserverFlags ?? []);
    let apiserver = first.proc;
    const port = first.port;
    started.unshift({ stop: () => apiserver.stop() });
    const url = `https://127.0.0.1:${port}`;
    const kubeconfigPath = writeKubeconfig(path.join(dir, "admin.kubeconfig"), {
      name,
      server: url,
      caPem: pki.ca.certPem,
      user: { certPem: pki.admin.certPem, keyPem: pki.admin.keyPem },
      userName: `${name}-admin`,
    });
    const creds = { ca: pki.ca.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem };
    const request = (p: string, init?: RequestInit) => httpsRequest(`${url}${p}`, creds, init);
    progress(`${name}: kube-apiserver ready at ${url} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

    let controllerManager: ManagedProcess | undefined;
    if (opts.controllerManager ?? true) {
      controllerManager = spawnLogged({
        name: `${name}/kube-controller-manager`,
        command: bins.kubeControllerManager,
        args: [
          `--kubeconfig=${kubeconfigPath}`,
          // clusterrole-aggregation too: `view`/`edit` gain our resources from deploy/base/rbac.yaml's
          // aggregated ClusterRoles only through it.
          `--controllers=${["namespace", "garbagecollector", "serviceaccount-token", "serviceaccount", "clusterrole-aggregation", ...(withNodes ? NODE_CONTROLLERS : [])].join(",")}`,
          ...(withNodes ? [`--node-monitor-grace-period=${NODE_MONITOR_GRACE}`] : []),
          `--service-account-private-key-file=${pki.serviceAccount.privateKeyPath}`,
          `--root-ca-file=${pki.ca.certPath}`,
          "--bind-address=127.0.0.1",
          // No serving at all: a fixed secure port would collide between clusters, and serving would write a
          // self-signed certificate to /var/run/kubernetes.
          "--secure-port=0",
          "--leader-elect=false",
          "--use-service-account-credentials=false",
        ],
        runDir,
      });
      const cm = controllerManager;
      started.unshift({ stop: () => cm.stop() });
      // Ready when its serviceaccount controller has made the `default` ServiceAccount: informers synced,
      // controllers running (tests that create namespaces or pods rely on that).
      await waitFor(
        async (last) => {
          const res = await request("/api/v1/namespaces/default/serviceaccounts/default");
          if (res.status === 200) return true;
          last.reason = `HTTP ${res.status}`;
          return undefined;
        },
        { what: `${name} kube-controller-manager (default ServiceAccount)`, proc: cm, timeoutMs: 120_000 },
      );
      progress(`${name}: kube-controller-manager running (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    }

    let nodeAgents: NodeAgents | undefined;
    if (withNodes) {
      const t1 = Date.now();
      nodeAgents = await startNodeAgents({ name, runDir, dir, kubeconfigPath, request }, opts.nodes!);
      started.unshift(nodeAgents);
      progress(`${name}: ${opts.nodes!.length} KWOK Nodes Ready, kube-scheduler running (+${((Date.now() - t1) / 1000).toFixed(1)}s)`);
    }

    const cacheDir = path.join(dir, "kubectl-cache");
    const cluster: Cluster = {
      name,
      url,
      port,
      caPem: pki.ca.certPem,
      kubeconfigPath,
      runDir,
      dir,
      pki,
      etcdUrl: etcd.url,
      processes: { etcd: etcd.proc, apiserver, controllerManager, kwok: nodeAgents?.kwok, scheduler: nodeAgents?.scheduler },
      kubectl: (args, kopts) => runKubectl({ kubectlPath: bins.kubectl, kubeconfigPath, cacheDir }, args, kopts),
      request,
      async stopApiserver() {
        await apiserver.stop();
      },
      async startApiserver() {
        if (apiserver.running()) return;
        const next = spawnLogged({ name: `${name}/kube-apiserver`, command: apiserver.command, args: [...apiserver.args], runDir });
        apiserver = next;
        cluster.processes.apiserver = next;
        await waitForHttpsOk(`${url}/readyz`, creds, { what: `${name} kube-apiserver /readyz after restart`, proc: next, timeoutMs: 180_000 });
      },
      async stop(sopts = {}) {
        // Dependents first: KWOK, the scheduler and the controller-manager need the apiserver, which needs etcd.
        await nodeAgents?.stop();
        if (controllerManager) await controllerManager.stop();
        await apiserver.stop();
        await etcd.stop();
        if (ownsRunDir) runDir.close({ keep: sopts.keepLogs });
      },
    };
    return cluster;
  } catch (e) {
    for (const s of started) await s.stop();
    runDir.fail(`${name} did not start`);
    if (ownsRunDir) runDir.close();
    throw e;
  }
}

async function startApiserver(
  runDir: RunDir,
  name: string,
  bin: string,
  pki: ClusterPki,
  etcd: Etcd,
  extraFlags: string[],
): Promise<{ proc: ManagedProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = spawnLogged({
      name: `${name}/kube-apiserver`,
      command: bin,
      args: [
        "--bind-address=127.0.0.1",
        `--secure-port=${port}`,
        "--advertise-address=127.0.0.1",
        `--etcd-servers=${etcd.url}`,
        `--tls-cert-file=${pki.serving.certPath}`,
        `--tls-private-key-file=${pki.serving.keyPath}`,
        `--client-ca-file=${pki.ca.certPath}`,
        "--authorization-mode=Node,RBAC",
        "--service-account-issuer=https://kubernetes.default.svc",
        `--service-account-key-file=${pki.serviceAccount.publicKeyPath}`,
        `--service-account-signing-key-file=${pki.serviceAccount.privateKeyPath}`,
        "--service-cluster-ip-range=10.0.0.0/24",
        "--allow-privileged=true",
        // No nodes, no endpoints to keep for the `kubernetes` Service.
        "--endpoint-reconciler-type=none",
        // The aggregator's front-proxy identity: what an aggregated server behind this apiserver trusts.
        `--requestheader-client-ca-file=${pki.frontProxyCa.certPath}`,
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        // 1.33+: the aggregator passes the user's uid too (RemoteRequestHeaderUID, beta and on by default).
        "--requestheader-uid-headers=X-Remote-Uid",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        `--proxy-client-cert-file=${pki.frontProxyClient.certPath}`,
        `--proxy-client-key-file=${pki.frontProxyClient.keyPath}`,
        ...extraFlags,
      ],
      runDir,
    });
    try {
      // As admin: anonymous /readyz is forbidden until RBAC's bootstrap policy exists.
      await waitForHttpsOk(
        `https://127.0.0.1:${port}/readyz`,
        { ca: pki.ca.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem },
        { what: `${name} kube-apiserver /readyz`, proc, timeoutMs: 180_000 },
      );
      return { proc, port };
    } catch (e) {
      await proc.stop(2_000);
      if (attempt < 3 && lostPortRace(proc)) {
        progress(`${name}: kube-apiserver lost a port race, retrying with a new port`);
        continue;
      }
      throw e;
    }
  }
}
