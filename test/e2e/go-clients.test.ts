/**
 * Go clients as operators and cluster-inventory-api consumers run them, through the hub: a client-go 0.37
 * dynamic informer (test/go/clients/cmd/informer) in list-then-watch mode and in watch-list mode
 * (KUBE_FEATURE_WatchListClient), each syncing in its own mode (watch-list without falling back) and staying in
 * sync across a restart of our server and across a real 410 Gone: stalled (SIGSTOP) until we end its watch as too
 * slow, it resumes from a resourceVersion older than our watch history and must re-list.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { goTool } from "../harness/go-tools.js";
import { progress } from "../harness/progress.js";
import { waitFor } from "../harness/processes.js";
import { Direct } from "./support/direct.js";

const G = "/apis/multicluster.x-k8s.io/v1alpha1";
const AV = "multicluster.x-k8s.io/v1alpha1";
/** Our server's --watch-history-size here: a 410 then takes hundreds of changes, not the default 10,000. */
const HISTORY = 200;
let cs: ClusterSet;
let informerBin: string;

beforeAll(async () => {
  [informerBin, cs] = await Promise.all([goTool("clients", "informer"), startClusterSet({ members: 0, label: "go-clients", server: { flags: [`--watch-history-size=${HISTORY}`] } })]);
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

  /** Stops the process where it is (SIGSTOP): it reads nothing until resume(). */
  pause(): void {
    this.proc.kill("SIGSTOP");
  }

  resume(): void {
    this.proc.kill("SIGCONT");
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
const mergePatch = { "content-type": "application/merge-patch+json" };

/** Our server's count of watches it ended for this reason (straight from its /metrics). */
async function watchesEnded(direct: Direct, reason: string): Promise<number> {
  const body = (await direct.request("GET", "/metrics")).body;
  return Number(new RegExp(`^clusterset_watches_ended_total\\{reason="${reason}"\\} (\\d+)`, "m").exec(body)?.[1] ?? "0");
}

/** `count` merge patches of one object, 32 at a time, each a new version. */
async function patchMany(direct: Direct, path: string, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i += 32) {
    const batch = Array.from({ length: Math.min(32, from + count - i) }, (_, k) => direct.request("PATCH", path, { metadata: { labels: { n: String(i + k) } } }, mergePatch));
    for (const r of await Promise.all(batch)) expect(r.status).toBe(200);
  }
}

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

  it("stays in sync across a 410 Gone: stalled until we end its watch as too slow, it resumes too far back and re-lists", async () => {
    const direct = new Direct(cs);
    const P = `${G}/namespaces/${ns}/placementdecisions`;
    try {
      const tooSlowBefore = await watchesEnded(direct, "too-slow");
      // Versions of 16 KiB fill the buffers between us and the stopped process (kernel, hub, HTTP/2 windows:
      // some MB) in a few hundred updates; then our queue for its watch overflows and we end the watch.
      const big = { ...pd("churn"), decisions: [{ clusterProfileRef: { name: "x" }, reason: "r".repeat(16 * 1024) }] };
      expect((await direct.request("POST", P, big)).status).toBe(201);
      await informer.until("churn seen", () => informer.lines.find((l) => l.event === "add" && l.name === `${ns}/churn`));
      const logBefore = readFileSync(informer.logPath, "utf8").length;
      const requestsBefore = informer.requests().length;
      informer.pause();
      let updates = 0;
      const t0 = Date.now();
      while ((await watchesEnded(direct, "too-slow")) === tooSlowBefore) {
        // The queue limit is 1,000 events; the buffers take fewer than 1,000 more at this size.
        expect(updates, "updates without our server ending the stalled watch").toBeLessThan(4_000);
        await patchMany(direct, `${P}/churn`, 64, updates);
        updates += 64;
      }
      progress(`the stalled informer's watch was ended as too slow after ${updates} updates (${Date.now() - t0} ms)`);
      // What it can only learn by re-listing: changes followed by more than the history holds.
      expect((await direct.request("POST", P, pd("after-410"))).status).toBe(201);
      expect((await direct.request("PATCH", `${P}/a`, { schedulerName: "after-410" }, mergePatch)).status).toBe(200);
      expect((await direct.request("DELETE", `${P}/d`)).status).toBe(200);
      expect((await direct.request("DELETE", `${P}/churn`)).status).toBe(200);
      await patchMany(direct, `${G}/namespaces/${ns}-other/placementdecisions/elsewhere`, HISTORY + 50);
      informer.resume();
      const t1 = Date.now();
      const want = await hubState(ns);
      expect(Object.keys(want).sort()).toEqual([`${ns}/a`, `${ns}/after-410`, `${ns}/after-restart`]);
      await informer.until("the store equals the hub's list after the 410", async () => JSON.stringify(await informer.dump()) === JSON.stringify(want) || undefined, 60_000);
      progress(`resumed, the informer equals the hub's list after ${Date.now() - t1} ms`);
      // It saw the 410 (client-go logs the expired watch at -v=4) and re-listed: a list, or in watch-list mode
      // a new stream with the initial events.
      const log = readFileSync(informer.logPath, "utf8").slice(logBefore);
      expect(log).toMatch(/too old resource version/);
      // Our end of its watch was clean, as kube-apiserver's: a reset reads as a server error to client-go.
      expect(log).not.toMatch(/watch ended with error/);
      const after = informer.requests().slice(requestsBefore).filter((u) => u.includes(`/namespaces/${ns}/placementdecisions`));
      if (watchList) expect(after.some((u) => /sendInitialEvents=true/.test(u))).toBe(true);
      else expect(after.some((u) => !/[?&]watch=true/.test(u))).toBe(true);
    } finally {
      informer.resume();
      direct.close();
    }
  }, 300_000);
});
