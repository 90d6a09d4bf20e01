/**
 * Go clients as operators and cluster-inventory-api consumers run them, through the hub: a client-go 0.37
 * dynamic informer (test/go/clients/cmd/informer) in list-then-watch mode and in watch-list mode
 * (KUBE_FEATURE_WatchListClient), each syncing in its own mode (watch-list without falling back) and staying in
 * sync across a restart of our server.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { goTool } from "../harness/go-tools.js";
import { waitFor } from "../harness/processes.js";

const G = "/apis/multicluster.x-k8s.io/v1alpha1";
const AV = "multicluster.x-k8s.io/v1alpha1";
let cs: ClusterSet;
let informerBin: string;

beforeAll(async () => {
  [informerBin, cs] = await Promise.all([goTool("clients", "informer"), startClusterSet({ members: 0, label: "go-clients" })]);
});
afterAll(async () => {
  await cs?.stop();
});

interface Line {
  event: string;
  name?: string;
  rv?: string;
  url?: string;
  items?: Record<string, string>;
}

/** The informer program: its JSON lines as they arrive, its klog output in a file. */
class GoInformer {
  readonly lines: Line[] = [];
  private constructor(
    private readonly proc: ChildProcess,
    readonly logPath: string,
  ) {
    createInterface({ input: proc.stdout! }).on("line", (l) => this.lines.push(JSON.parse(l) as Line));
  }

  static start(namespace: string, watchList: boolean): GoInformer {
    const logPath = path.join(cs.runDir.sub("go-clients"), `informer-${namespace}.log`);
    const proc = spawn(informerBin, [`--kubeconfig=${cs.adminKubeconfig}`, `--namespace=${namespace}`, "--resource=placementdecisions", "-v=4"], {
      env: { ...process.env, KUBE_FEATURE_WatchListClient: String(watchList) },
      stdio: ["pipe", "pipe", openSync(logPath, "a")],
    });
    return new GoInformer(proc, logPath);
  }

  until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    return waitFor(async () => check(), { what: `informer: ${what}`, timeoutMs, intervalMs: 100 });
  }

  requests(): string[] {
    return this.lines.filter((l) => l.event === "request").map((l) => l.url!);
  }

  /** The informer's store: "<ns>/<name>" → resourceVersion. */
  async dump(): Promise<Record<string, string>> {
    const before = this.lines.length;
    this.proc.stdin!.write("dump\n");
    return this.until("dump", () => this.lines.slice(before).find((l) => l.event === "dump")?.items);
  }

  stop(): void {
    this.proc.kill("SIGKILL");
  }
}

/** What the hub lists now: "<ns>/<name>" → resourceVersion. */
async function hubState(namespace: string): Promise<Record<string, string>> {
  const r = await cs.hub.request(`${G}/namespaces/${namespace}/placementdecisions`);
  const items = r.json<{ items: { metadata: { namespace: string; name: string; resourceVersion: string } }[] }>().items;
  return Object.fromEntries(items.map((i) => [`${i.metadata.namespace}/${i.metadata.name}`, i.metadata.resourceVersion]));
}

const pd = (name: string, scheduler = "s") => ({ apiVersion: AV, kind: "PlacementDecision", metadata: { name }, schedulerName: scheduler, decisions: [] });

describe.each([
  { mode: "list then watch", watchList: false, ns: "go-list" },
  { mode: "watch-list", watchList: true, ns: "go-watchlist" },
])("a client-go 0.37 dynamic informer, $mode", ({ watchList, ns }) => {
  let informer: GoInformer;
  afterAll(() => informer?.stop());

  it("syncs what exists, with the requests of its mode", async () => {
    await cs.hub.kubectl(["create", "namespace", ns], { check: true });
    for (const n of ["a", "b", "c"]) expect((await cs.hub.request(`${G}/namespaces/${ns}/placementdecisions`, { method: "POST", body: pd(n) })).status).toBe(201);
    informer = GoInformer.start(ns, watchList);
    await informer.until("synced", () => informer.lines.find((l) => l.event === "synced"));
    expect(await informer.dump()).toEqual(await hubState(ns));
    // client-go falls back to a plain list when a watch-list stream cannot be decoded (a bookmark without kind).
    expect(readFileSync(informer.logPath, "utf8")).not.toMatch(/Falling back to regular list/);
    const first = informer.requests().find((u) => u.includes("/placementdecisions"))!;
    if (watchList) {
      expect(first).toMatch(/[?&]watch=true/);
      expect(first).toMatch(/sendInitialEvents=true/);
      expect(first).toMatch(/resourceVersionMatch=NotOlderThan/);
    } else {
      expect(first).not.toMatch(/watch=true/);
      expect(first).toMatch(/[?&]limit=500/);
    }
  });

  it("follows creates, updates and deletes", async () => {
    await cs.hub.request(`${G}/namespaces/${ns}/placementdecisions`, { method: "POST", body: pd("d") });
    await cs.hub.request(`${G}/namespaces/${ns}/placementdecisions/a`, { method: "PATCH", headers: { "content-type": "application/merge-patch+json" }, body: JSON.stringify({ schedulerName: "changed" }) });
    await cs.hub.request(`${G}/namespaces/${ns}/placementdecisions/b`, { method: "DELETE" });
    const want = await hubState(ns);
    await informer.until("the store equals the hub's list", async () => JSON.stringify(await informer.dump()) === JSON.stringify(want) || undefined);
  });

  it("stays in sync across our restart: it re-lists and catches up", async () => {
    const initialRequests = informer.requests().length;
    await cs.hub.kubectl(["create", "namespace", `${ns}-other`], { check: true });
    await cs.hub.request(`${G}/namespaces/${ns}-other/placementdecisions`, { method: "POST", body: pd("elsewhere") });
    await cs.server.restart();
    await cs.hub.request(`${G}/namespaces/${ns}/placementdecisions`, { method: "POST", body: pd("after-restart") });
    await cs.hub.request(`${G}/namespaces/${ns}/placementdecisions/c`, { method: "DELETE" });
    const want = await hubState(ns);
    expect(Object.keys(want).sort()).toEqual([`${ns}/a`, `${ns}/after-restart`, `${ns}/d`]);
    await informer.until("the store equals the hub's list after the restart", async () => JSON.stringify(await informer.dump()) === JSON.stringify(want) || undefined, 60_000);
    expect(informer.requests().length).toBeGreaterThan(initialRequests);
  });
});
