/**
 * A whole ClusterSet on loopback: a hub and N member control planes (started in parallel; each member with
 * KWOK Nodes, kube-scheduler and the workload controllers, kwok.ts), our server registered on the hub as an
 * aggregated API exactly as in production (ServiceAccount, RBAC from deploy/, Service, APIService with our CA),
 * and our server running as a child process.
 */
import path from "node:path";
import { startCluster, type Cluster } from "./cluster.js";
import { defaultNodes, type KwokNode } from "./kwok.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { startEtcd } from "./etcd.js";
import { createServerPki, type ServerPki } from "./pki.js";
import { freePort } from "./processes.js";
import { progress } from "./progress.js";
import { prepareServer, type OurServer, type ServerOptions } from "./our-server.js";
import {
  prepareHub,
  registerApiService,
  serverToken,
  unregisterApiService,
  waitApiServiceAvailable,
} from "./register.js";
import { createRunDir, type RunDir } from "./run-dir.js";
import { frontProxyClient, type FrontProxyCreds } from "./users.js";

export interface StartClusterSetOptions {
  /** Number of member clusters: member1 … memberN. */
  members: number;
  /** Run each member's kube-controller-manager (default true; the hub always has one). */
  memberControllerManagers?: boolean;
  /**
   * Each member's fake Nodes, run by KWOK beside kube-scheduler and the workload controllers (kwok.ts). Default:
   * defaultNodes(member) — three of 4 cpu and 16Gi — whenever the member has its controller-manager; false: none.
   */
  memberNodes?: false | ((member: string) => KwokNode[]);
  server?: {
    /** Extra `serve` flags (e.g. ["--namespaces=fleet"], ["--storage-backend=etcd", "--etcd-servers=…"]). */
    flags?: string[];
    env?: NodeJS.ProcessEnv;
    /** Script to run instead of `<repo>/main.ts`. */
    entry?: string;
    /**
     * false: prepare everything (PKI, hub RBAC, token kubeconfig, Service) but neither start our server nor
     * create the APIService; call `server.start()` and `registerApiService()` yourself.
     */
    start?: boolean;
    /**
     * "level" (default): each server process its own `--data-dir` in the run directory. "etcd": a dedicated
     * etcd for our server (not the hub's), `--storage-backend=etcd --etcd-servers=<it>`, shared by replicas.
     */
    storage?: "level" | "etcd";
  };
  /** Names the run directory; default "clusterset". */
  label?: string;
}

export interface ClusterSet {
  hub: Cluster;
  members: Cluster[];
  runDir: RunDir;
  /** Our server; once the APIService is registered, start() and restart() resolve when the hub proxies to it. */
  server: OurServer;
  serverPki: ServerPki;
  /** The hub's admin kubeconfig (what `KUBECONFIG` should be for kubectl through the hub). */
  adminKubeconfig: string;
  /** The kubeconfig our server uses: the hub with its ServiceAccount's token. */
  serverKubeconfig: string;
  /** The hub's front-proxy client certificate, for talking to our server directly as the aggregator does. */
  frontProxyClient: FrontProxyCreds;
  /** Creates the APIService and waits until requests through the hub reach our server. */
  registerApiService(): Promise<void>;
  unregisterApiService(): Promise<void>;
  /** Waits until the APIService is Available and proxying works (after a restart or kill9, say). */
  waitAvailable(timeoutMs?: number): Promise<void>;
  /** Another replica of our server (same certificate and hub credentials, its own port and data dir). */
  startReplica(opts?: { name?: string; flags?: string[]; env?: NodeJS.ProcessEnv }): Promise<OurServer>;
  /** With `server.storage: "etcd"`: the URL of our server's etcd. */
  serverEtcdUrl?: string;
  /** APIService first, then our server(s), then members and hub; keeps logs when asked or when a part crashed. */
  stop(opts?: { keepLogs?: boolean }): Promise<void>;
}

export async function startClusterSet(opts: StartClusterSetOptions): Promise<ClusterSet> {
  const t0 = Date.now();
  const runDir = createRunDir(opts.label ?? "clusterset");
  progress(`starting a hub and ${opts.members} member(s) in ${runDir.path}`);
  /** Everything started so far, stopped after our server(s): clusters and our server's etcd. */
  const parts: Array<{ stop(): Promise<void> }> = [];
  const servers: OurServer[] = [];
  let hub: Cluster | undefined;
  let registered = false;

  const stopAll = async () => {
    // A registered APIService whose server is gone stalls the hub's namespace deletion and garbage
    // collection (discovery fails): remove it before anything stops.
    if (hub && registered) await unregisterApiService(hub).catch((e: Error) => progress(`removing the APIService: ${e.message}`));
    registered = false;
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all(parts.map((c) => c.stop()));
  };

  try {
    const memberCm = opts.memberControllerManagers ?? true;
    const nodesOf = memberCm ? (opts.memberNodes ?? defaultNodes) : false;
    const starts = [
      startCluster({ name: "hub", runDir }),
      ...Array.from({ length: opts.members }, (_, i) => {
        const name = `member${i + 1}`;
        return startCluster({ name, runDir, controllerManager: memberCm, nodes: nodesOf ? nodesOf(name) : [] });
      }),
    ];
    const track = <T extends { stop(): Promise<void> }>(p: Promise<T>) => p.then((part) => (parts.push(part), part));
    const etcdStart = opts.server?.storage === "etcd" ? track(startEtcd(runDir, "server-etcd")) : undefined;
    // Track every part that comes up, even when another fails, so all of them get stopped.
    const results = await Promise.allSettled([...starts.map(track), ...(etcdStart ? [etcdStart] : [])]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    const clusters = await Promise.all(starts);
    const [h, ...members] = clusters as [Cluster, ...Cluster[]];
    hub = h;
    const etcd = await etcdStart;
    progress(`clusters ready (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

    const port = await freePort();
    const [serverPki] = await Promise.all([createServerPki(runDir.sub("server-pki")), prepareHub(h, port)]);
    const serverKubeconfig = writeKubeconfig(path.join(runDir.path, "server.kubeconfig"), {
      name: "hub",
      server: h.url,
      caPem: h.caPem,
      user: { token: await serverToken(h) },
      userName: "clusterset-apiserver",
    });
    progress("hub prepared: namespace, ServiceAccount, RBAC (deploy/base/rbac.yaml), Service, token");

    const storageFlags = etcd ? ["--storage-backend=etcd", `--etcd-servers=${etcd.url}`] : [];
    const serverOpts = (name: string, flags: string[] | undefined, env: NodeJS.ProcessEnv | undefined): ServerOptions => ({
      runDir,
      name,
      pki: serverPki,
      hubKubeconfigPath: serverKubeconfig,
      flags: [...storageFlags, ...(flags ?? [])],
      env,
      entry: opts.server?.entry,
      ...(etcd ? { dataDir: "" } : {}),
    });
    const server = await prepareServer({ ...serverOpts("server", opts.server?.flags, opts.server?.env), port });
    servers.push(server);
    // Once registered, "started" means usable through the hub: after a restart or a kill9 + start, also
    // wait until the hub's aggregator sees the APIService Available again and proxies to us.
    for (const key of ["start", "restart"] as const) {
      const plain = server[key];
      server[key] = async () => {
        await plain();
        if (registered) await waitApiServiceAvailable(h, { proc: server.proc });
      };
    }

    const cs: ClusterSet = {
      hub: h,
      members,
      runDir,
      server,
      serverPki,
      adminKubeconfig: h.kubeconfigPath,
      serverKubeconfig,
      frontProxyClient: frontProxyClient(h),
      ...(etcd ? { serverEtcdUrl: etcd.url } : {}),
      async registerApiService() {
        registered = true;
        await registerApiService(h, port, serverPki.ca.certPem);
        await cs.waitAvailable();
        progress(`APIService registered and Available (${((Date.now() - t0) / 1000).toFixed(1)}s since start)`);
      },
      async unregisterApiService() {
        await unregisterApiService(h);
        registered = false;
      },
      waitAvailable: (timeoutMs) => waitApiServiceAvailable(h, { timeoutMs, proc: server.proc }),
      async startReplica(r = {}) {
        const replica = await prepareServer(serverOpts(r.name ?? `server-${servers.length + 1}`, r.flags ?? opts.server?.flags, r.env ?? opts.server?.env));
        servers.push(replica);
        await replica.start();
        return replica;
      },
      async stop(sopts = {}) {
        await stopAll();
        runDir.close({ keep: sopts.keepLogs });
      },
    };

    if (opts.server?.start ?? true) {
      await server.start();
      await cs.registerApiService();
    }
    progress(`cluster set ready in ${((Date.now() - t0) / 1000).toFixed(1)}s; KUBECONFIG=${h.kubeconfigPath}`);
    return cs;
  } catch (e) {
    runDir.fail(`startClusterSet failed: ${(e as Error).message.split("\n")[0]}`);
    await stopAll().catch(() => {});
    runDir.close();
    throw e;
  }
}
