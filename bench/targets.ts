/**
 * The systems under test, each reached through a kube-apiserver with its admin client certificate:
 *  A  — our server behind hub 1 (startClusterSet: hub + APIService, the hub proxies to us over HTTP/2);
 *       level storage by default, or its own etcd (`--storage-backend=etcd`) for the A/etcd variant;
 *  B  — a second, plain kube-apiserver (the release test/go/kube pins) + etcd (startCluster) with the upstream ClusterProfile CRD;
 *  Floor — a bare node:http2 server (bench/floor-server.ts) behind hub 2, registered like A (startClusterSet with
 *       the floor as the server entry), handing out the bytes captured from A after the load: what serving
 *       those bytes through a hub costs at least.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { kubeVersion as pinnedKube } from "../test/harness/binaries.js";
import path from "node:path";
import {
  repoRoot,
  httpsRequest,
  spawnLogged,
  startCluster,
  startClusterSet,
  waitFor,
  waitForHttpsOk,
  type Cluster,
  type ClusterSet,
  type ManagedProcess,
} from "../test/harness/index.js";
import { closeSession, connect, expectStatus, request, type Endpoint } from "./client.js";
import { COLLECTION, NAMESPACE, namespaceBody, WRITES_NAMESPACE } from "./fixtures.js";
import { findPid } from "./workloads/rss.js";
import type { FloorFile, FloorManifest } from "./floor-server.js";

export type TargetKey = "A" | "A-etcd" | "B" | "Floor" | "A-direct";

export interface Target {
  key: TargetKey;
  /** One line for the report. */
  title: string;
  endpoint: Endpoint;
  /** Processes whose RSS the report follows; `main` is the one the RSS goals are about. */
  pids(): { main: number; others: Record<string, number> };
  /** Name of the `main` process in the report. */
  mainName: string;
  /** Another view of a target that holds the data (A-direct: A's server without the hub): not loaded again. */
  sharesStoreWith?: TargetKey;
  /** Stores nothing: serves the bytes captured from that target (the floor). Not loaded, no writes. */
  replays?: { from: TargetKey; load(capture: FloorCapture): Promise<string> };
  /** Restarts the main process (our server) and waits until it serves again; for a fresh-heap memory baseline. */
  restartMain?(): Promise<void>;
  /** Stops every process of this target; `keepLogs` keeps its run directory (test/.runs/…). */
  stop(keepLogs?: boolean): Promise<void>;
}

export const CRD_FILE = path.join(repoRoot, "resources", "crds", "multicluster.x-k8s.io_clusterprofiles.yaml");

function endpointOf(c: Cluster): Endpoint {
  return { url: c.url, ca: c.caPem, cert: c.pki.admin.certPem, key: c.pki.admin.keyPem };
}

/** Creates the bench namespace through the endpoint and waits until the ClusterProfile collection answers 200. */
async function prepare(t: Target): Promise<void> {
  const s = await connect(t.endpoint);
  try {
    for (const name of [NAMESPACE, WRITES_NAMESPACE]) {
      const ns = await request(s, { method: "POST", path: "/api/v1/namespaces", body: namespaceBody(name) });
      expectStatus(ns, [201, 409], `${t.key}: create namespace ${name}`);
    }
    await waitFor(
      async (last) => {
        const r = await request(s, { path: `${COLLECTION}?limit=1` });
        if (r.status === 200) return true;
        last.reason = `HTTP ${r.status}: ${r.head.slice(0, 300)}`;
        return undefined;
      },
      { what: `${t.key}: ClusterProfile collection answers`, timeoutMs: 60_000, intervalMs: 250 },
    );
  } finally {
    await closeSession(s);
  }
}

export interface OursOptions {
  storage: "level" | "etcd";
  /**
   * A compiled main.js (see build.ts): then the bench runs it as production does, `node main.js serve …`.
   * (The harness always adds `--import tsx`, whose loader thread alone costs about 80 MB of RSS.) Without it,
   * the harness runs main.ts through tsx, as the tests do.
   */
  entry?: string;
  env?: NodeJS.ProcessEnv;
}

/** Our server (or the floor) as a plain `node <entry> serve …` child, with the harness's command line minus `--import tsx`. */
function plainNodeServer(cs: ClusterSet, env: NodeJS.ProcessEnv | undefined, what = "our server") {
  const args = cs.server.args.filter((a, i, all) => !(a === "--import" && all[i + 1] === "tsx") && !(a === "tsx" && all[i - 1] === "--import"));
  let proc: ManagedProcess | undefined;
  let starts = 0;
  const start = async () => {
    proc = spawnLogged({ name: `server-node${starts++ ? `-${starts}` : ""}`, command: process.execPath, args, runDir: cs.runDir, cwd: repoRoot, ...(env ? { env } : {}) });
    await waitForHttpsOk(`${cs.server.url}/readyz`, { ca: cs.server.caPem }, { what: `${what} /readyz`, proc, timeoutMs: 120_000 });
  };
  return {
    args,
    pid: () => (proc?.running() ? proc.pid : -1),
    start,
    async restart() {
      await proc?.stop(10_000);
      await start();
      await cs.waitAvailable();
    },
    stop: async () => proc?.stop(10_000),
  };
}

/** A started server: the target through the hub and, for diagnosis, the same server reached directly. */
export async function startOurs(o: OursOptions): Promise<{ viaHub: Target; direct: Target }> {
  const { storage } = o;
  const cs: ClusterSet = await startClusterSet({
    members: 0,
    label: `bench-${storage}`,
    server: { storage, ...(o.entry ? { entry: o.entry, start: false } : {}), ...(o.env ? { env: o.env } : {}) },
  });
  const plain = o.entry ? plainNodeServer(cs, o.env) : undefined;
  const stop = async (keepLogs?: boolean) => {
    if (plain) {
      // As the harness does: the APIService goes first (an absent backend stalls the hub), then our server.
      await cs.unregisterApiService().catch(() => {});
      await plain.stop();
    }
    await cs.stop({ keepLogs });
  };
  try {
    if (plain) {
      await plain.start();
      await cs.registerApiService();
    }
  } catch (e) {
    await stop(true);
    throw e;
  }
  const key: TargetKey = storage === "level" ? "A" : "A-etcd";
  // Our server's own etcd (not the hub's), when it has one: its memory is part of what A-etcd costs.
  const etcdPid = cs.serverEtcdUrl ? findPid(`--listen-client-urls=${cs.serverEtcdUrl}`) : -1;
  const t: Target = {
    key,
    title: `clusterset-apiserver (${storage} storage, ${plain ? `\`node ${path.relative(repoRoot, o.entry!)} serve …\`, compiled as production runs it` : "main.ts through tsx, as the tests run it"}) behind the hub kube-apiserver ${pinnedKube} (APIService; the hub proxies to us over HTTP/2)`,
    endpoint: endpointOf(cs.hub),
    mainName: "clusterset-apiserver",
    pids: () => ({
      main: plain ? plain.pid() : cs.server.pid,
      others: {
        "hub kube-apiserver": cs.hub.processes.apiserver.pid,
        ...(etcdPid > 0 ? { "our etcd": etcdPid } : {}),
      },
    }),
    restartMain: () => (plain ? plain.restart() : cs.server.restart()),
    stop: (keepLogs) => stop(keepLogs),
  };
  // Our server reached as the hub's aggregator reaches it: its front-proxy client certificate and
  // X-Remote-* headers naming an admin user (authorized by the hub's SubjectAccessReview, as through the hub).
  const fp = cs.frontProxyClient;
  const direct: Target = {
    key: "A-direct",
    title: `the same server as ${key}, reached directly (no hub): HTTP/2, the hub's front-proxy client certificate, X-Remote-User admin, X-Remote-Group system:masters — a diagnostic, to tell the hub's share from ours`,
    endpoint: { url: cs.server.url, ca: cs.server.caPem, cert: fp.cert, key: fp.key, headers: { "x-remote-user": "admin", "x-remote-group": ["system:masters", "system:authenticated"] } },
    mainName: t.mainName,
    sharesStoreWith: key,
    pids: t.pids,
    stop: async () => {},
  };
  try {
    await prepare(t);
  } catch (e) {
    await stop(true);
    throw e;
  }
  return { viaHub: t, direct };
}

/** One captured response: its body and content type. */
export interface CapturedBody {
  body: Buffer;
  contentType: string;
}

/** What the floor hands out, captured from A after the load (see captureForFloor in run.ts). */
export interface FloorCapture {
  collection: string;
  full: CapturedBody;
  rv0: CapturedBody;
  table: CapturedBody;
  limit1: CapturedBody;
  pageLimit: number;
  /** Each page of the paged walk by the continue token that asks for it ("" for the first). */
  pages: Array<{ token: string } & CapturedBody>;
  object: CapturedBody;
  /** A's event line (newline included), and the label value in it that the floor replaces per trigger. */
  event: CapturedBody;
  eventMarker: string;
}

/**
 * The floor behind its own hub: startClusterSet with bench/.dist/floor-server.js (see buildFloor) as the
 * server entry, run as plain `node` (no tsx loader), registered with an APIService and its CA like A. Its
 * capture is written into its `--data-dir` and loaded through its admin endpoint (directly, not via the hub).
 */
export async function startFloor(entry: string): Promise<Target> {
  const cs: ClusterSet = await startClusterSet({ members: 0, label: "bench-floor", server: { entry, start: false } });
  const plain = plainNodeServer(cs, undefined, "the floor");
  const stop = async (keepLogs?: boolean) => {
    await cs.unregisterApiService().catch(() => {});
    await plain.stop();
    await cs.stop({ keepLogs });
  };
  const dataDir = plain.args.find((a) => a.startsWith("--data-dir="))?.slice("--data-dir=".length);
  const t: Target = {
    key: "Floor",
    title: `the floor: a bare node:http2 server (bench/floor-server.ts, no logic, HTTP/2 and HTTP/1.1 on one port) handing out the bytes captured from A after the load (LISTs, pages by A's continue tokens, A's event line with each trigger's label value put in, one write per watch stream), behind its own hub kube-apiserver ${pinnedKube} (APIService, like A)`,
    endpoint: endpointOf(cs.hub),
    mainName: "floor server",
    pids: () => ({ main: plain.pid(), others: { "hub kube-apiserver": cs.hub.processes.apiserver.pid } }),
    replays: {
      from: "A",
      async load(c: FloorCapture): Promise<string> {
        if (!dataDir) throw new Error("the floor has no --data-dir");
        mkdirSync(dataDir, { recursive: true });
        const put = (name: string, b: CapturedBody): FloorFile => {
          writeFileSync(path.join(dataDir, name), b.body);
          return { file: name, contentType: b.contentType };
        };
        const manifest: FloorManifest = {
          collection: c.collection,
          full: put("list-full.json", c.full),
          rv0: put("list-rv0.json", c.rv0),
          table: put("list-table.json", c.table),
          limit1: put("list-limit1.json", c.limit1),
          pageLimit: c.pageLimit,
          pages: Object.fromEntries(c.pages.map((p, i) => [p.token, put(`page-${i}.json`, p)])),
          object: put("object.json", c.object),
          event: put("event.json", c.event),
          eventMarker: c.eventMarker,
        };
        writeFileSync(path.join(dataDir, "manifest.json"), JSON.stringify(manifest, null, 1));
        const r = await httpsRequest(`${cs.server.url}/_floor/load`, { ca: cs.server.caPem }, { method: "POST", timeoutMs: 60_000 });
        if (r.status !== 200) throw new Error(`the floor did not load its capture: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
        return (JSON.parse(r.body) as { message: string }).message;
      },
    },
    stop: (keepLogs) => stop(keepLogs),
  };
  try {
    await plain.start();
    await cs.registerApiService();
    await prepare(t);
  } catch (e) {
    await stop(true);
    throw e;
  }
  return t;
}

export async function startCrdApiserver(): Promise<Target> {
  const c = await startCluster({ name: "crd-apiserver" });
  const t: Target = {
    key: "B",
    title: `kube-apiserver ${pinnedKube} + etcd with the upstream ClusterProfile CRD`,
    endpoint: endpointOf(c),
    mainName: "kube-apiserver (B)",
    pids: () => ({ main: c.processes.apiserver.pid, others: { "etcd (B)": c.processes.etcd.pid } }),
    stop: (keepLogs) => c.stop({ keepLogs }),
  };
  try {
    await c.kubectl(["apply", "-f", "-"], { input: readFileSync(CRD_FILE, "utf8"), check: true });
    await c.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/clusterprofiles.multicluster.x-k8s.io"], { check: true });
    await prepare(t);
  } catch (e) {
    await c.stop({ keepLogs: true });
    throw e;
  }
  return t;
}

/** The server version string of the kube-apiserver in front (both sides run the same build). */
export async function kubeVersion(t: Target): Promise<string> {
  const s = await connect(t.endpoint);
  try {
    const r = await request(s, { path: "/version" });
    return (JSON.parse(r.head) as { gitVersion?: string }).gitVersion ?? "unknown";
  } finally {
    await closeSession(s);
  }
}
