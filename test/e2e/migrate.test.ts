/**
 * Moving in from the upstream CRDs (issue 15 item 3), following the README's steps on a real 1.37 hub that runs
 * the upstream ClusterProfile, PlacementDecision and Work CRDs with objects in them: `migrate --dry-run`,
 * `migrate` (twice: idempotent), delete the CRDs, start our server on that storage and register the APIService.
 * Every object is then served by us as the hub stored it: same uid, labels, annotations, spec and status (but a
 * Work's status, which we compute).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { repoRoot } from "../harness/run-dir.js";

const NS = "moving";
const CRDS = ["clusterprofiles", "placementdecisions", "works"].map((r) => path.join(repoRoot, "resources", "crds", `multicluster.x-k8s.io_${r}.yaml`));
let cs: ClusterSet;
let dataDir: string;

const objects = [
  { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ClusterProfile", metadata: { name: "east", namespace: NS, labels: { "x-k8s.io/cluster-manager": "ocm" }, annotations: { note: "from the CRD" } }, spec: { displayName: "East", clusterManager: { name: "ocm" } } },
  { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name: "pick", namespace: NS, labels: { app: "web" } }, decisions: [{ clusterProfileRef: { name: "east" }, reason: "fits" }] },
  { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "Work", metadata: { name: "web", namespace: NS }, spec: { workload: { manifests: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web", namespace: "default" }, data: { a: "1" } }] } } },
];
const status = { version: { kubernetes: "v1.34.2" }, conditions: [{ type: "ControlPlaneHealthy", status: "True", reason: "Probed", message: "ok", lastTransitionTime: "2026-01-01T00:00:00Z" }] };

/** `clusterset-apiserver migrate` with the storage flags our server is started with. */
function migrate(...extra: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", "main.ts", "migrate", `--kubeconfig=${cs.adminKubeconfig}`, `--data-dir=${dataDir}`, ...extra], { cwd: repoRoot, encoding: "utf8" });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

async function getAll(): Promise<Record<string, { metadata: Record<string, unknown>; spec?: unknown; status?: unknown; decisions?: unknown }>> {
  const out: Record<string, never> = {};
  for (const r of ["clusterprofiles", "placementdecisions", "works"]) {
    const list = JSON.parse((await cs.hub.kubectl(["get", `${r}.multicluster.x-k8s.io`, "-n", NS, "-o", "json"], { check: true })).stdout) as { items: never[] };
    for (const o of list.items) out[`${r}/${(o as { metadata: { name: string } }).metadata.name}`] = o;
  }
  return out;
}

beforeAll(async () => {
  cs = await startClusterSet({ members: 0, label: "migrate", server: { start: false } });
  dataDir = cs.server.args.find((a) => a.startsWith("--data-dir="))!.slice("--data-dir=".length);
  for (const crd of CRDS) await cs.hub.kubectl(["apply", "--server-side", "-f", crd], { check: true });
  await cs.hub.kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...CRDS.map((c) => `crd/${path.basename(c, ".yaml").split("_")[1]}.multicluster.x-k8s.io`)], { check: true });
  await cs.hub.kubectl(["create", "namespace", NS], { check: true });
  await cs.hub.kubectl(["create", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }), check: true });
  await cs.hub.kubectl(["patch", "clusterprofile", "east", "-n", NS, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })], { check: true });
});
afterAll(async () => {
  await cs?.stop();
});

describe("migrate from the upstream CRDs", () => {
  let before: Awaited<ReturnType<typeof getAll>>;

  it("--dry-run says what it would copy and writes nothing", async () => {
    before = await getAll();
    expect(Object.keys(before).sort()).toEqual(["clusterprofiles/east", "placementdecisions/pick", "works/web"]);
    const dry = migrate("--dry-run");
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain(`clusterprofiles.multicluster.x-k8s.io ${NS}/east: would create`);
    expect(dry.out).toContain(`placementdecisions.multicluster.x-k8s.io ${NS}/pick: would create`);
    expect(dry.out).toContain(`works.multicluster.x-k8s.io ${NS}/web: would create`);
    expect(dry.out.trim().split("\n").at(-1)).toBe("dry run: 3 would create");
    // Nothing was written: a second dry run still would create all three.
    expect(migrate("--dry-run").out).toContain("dry run: 3 would create");
  });

  it("copies every object, and a second run finds them unchanged", () => {
    const first = migrate();
    expect(first.code, first.err).toBe(0);
    expect(first.out.trim().split("\n").at(-1)).toBe("3 created");
    const again = migrate();
    expect(again.code, again.err).toBe(0);
    expect(again.out.trim().split("\n").at(-1)).toBe("3 unchanged");
  });

  it("after the CRDs are deleted, our server serves the same objects (uid, labels, annotations, spec, status)", async () => {
    await cs.hub.kubectl(["delete", "--wait=true", ...CRDS.flatMap((c) => ["-f", c])], { check: true, timeoutMs: 120_000 });
    await cs.server.start();
    await cs.registerApiService();
    const after = await getAll();
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const [k, o] of Object.entries(before)) {
      const a = after[k]!;
      for (const f of ["uid", "creationTimestamp", "labels", "annotations", "generation"]) expect(a.metadata[f], `${k} ${f}`).toEqual(o.metadata[f]);
      expect(a.spec, k).toEqual(o.spec);
      // A Work's status is ours to compute (from its member), whatever the CRD held.
      if (!k.startsWith("works/")) expect(a.status, k).toEqual(o.status);
      expect(a.decisions, k).toEqual(o.decisions);
    }
    expect((after["clusterprofiles/east"]!.status as typeof status).version.kubernetes).toBe("v1.34.2");
  });
});
