/**
 * The basic verbs through the hub with kubectl, on storage: create, get (table, yaml, json), list with
 * selectors and chunks, watch (`kubectl get -w`), update, delete.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { waitFor } from "../harness/processes.js";

let cs: ClusterSet;
beforeAll(async () => {
  cs = await startClusterSet({ members: 0, label: "crud" });
  await cs.hub.kubectl(["create", "namespace", "fleet"], { check: true });
});
afterAll(async () => {
  await cs?.stop();
});

const decision = (name: string, labels: Record<string, string> = {}) =>
  JSON.stringify({
    apiVersion: "multicluster.x-k8s.io/v1alpha1",
    kind: "PlacementDecision",
    metadata: { name, labels },
    schedulerName: "sched-a",
    decisions: [{ clusterProfileRef: { name: "m1" } }, { clusterProfileRef: { name: "m2" } }],
  });

describe("kubectl through the hub", () => {
  it("creates and gets with our columns", async () => {
    const c = await cs.hub.kubectl(["create", "-n", "fleet", "-f", "-"], { input: decision("pd1", { tier: "gold" }) });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout.trim()).toBe("placementdecision.multicluster.x-k8s.io/pd1 created");
    const g = await cs.hub.kubectl(["get", "placementdecisions", "-n", "fleet"], { check: true });
    const [header, row] = g.stdout.trim().split("\n");
    expect(header!.split(/\s{2,}/)).toEqual(["NAME", "SCHEDULER", "DECISIONS", "AGE"]);
    expect(row!.split(/\s+/).slice(0, 3)).toEqual(["pd1", "sched-a", "2"]);
  });

  it("returns the stored object with server-set metadata", async () => {
    const g = await cs.hub.kubectl(["get", "placementdecision", "pd1", "-n", "fleet", "-o", "json"], { check: true });
    const o = JSON.parse(g.stdout) as { kind: string; apiVersion: string; metadata: Record<string, unknown> };
    expect(o.kind).toBe("PlacementDecision");
    expect(o.apiVersion).toBe("multicluster.x-k8s.io/v1alpha1");
    expect(o.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(o.metadata.generation).toBe(1);
    expect(Number(o.metadata.resourceVersion)).toBeGreaterThan(0);
  });

  it("answers NotFound and AlreadyExists as kube-apiserver does", async () => {
    const nf = await cs.hub.kubectl(["get", "placementdecision", "nope", "-n", "fleet"]);
    expect(nf.code).not.toBe(0);
    expect(nf.stderr).toContain('placementdecisions.multicluster.x-k8s.io "nope" not found');
    const ae = await cs.hub.kubectl(["create", "-n", "fleet", "-f", "-"], { input: decision("pd1") });
    expect(ae.stderr).toContain('placementdecisions.multicluster.x-k8s.io "pd1" already exists');
  });

  it("lists with label selectors, field selectors and chunks", async () => {
    for (let i = 2; i <= 6; i++) await cs.hub.kubectl(["create", "-n", "fleet", "-f", "-"], { input: decision(`pd${i}`, { tier: i % 2 ? "gold" : "silver" }), check: true });
    const gold = await cs.hub.kubectl(["get", "placementdecisions", "-n", "fleet", "-l", "tier=gold", "-o", "name"], { check: true });
    expect(gold.stdout.trim().split("\n")).toEqual(["pd1", "pd3", "pd5"].map((n) => `placementdecision.multicluster.x-k8s.io/${n}`));
    const notin = await cs.hub.kubectl(["get", "placementdecisions", "-n", "fleet", "-l", "tier notin (gold)", "-o", "name"], { check: true });
    expect(notin.stdout.trim().split("\n")).toHaveLength(3);
    const byName = await cs.hub.kubectl(["get", "placementdecisions", "-A", "--field-selector", "metadata.name=pd4", "-o", "name"], { check: true });
    expect(byName.stdout.trim()).toBe("placementdecision.multicluster.x-k8s.io/pd4");
    const badField = await cs.hub.kubectl(["get", "placementdecisions", "-n", "fleet", "--field-selector", "spec.x=1"]);
    expect(badField.stderr).toContain("field label not supported: spec.x");
    const chunked = await cs.hub.kubectl(["get", "placementdecisions", "-n", "fleet", "--chunk-size=2", "-o", "name", "-v=6"], { check: true });
    expect(chunked.stdout.trim().split("\n")).toHaveLength(6);
    expect(chunked.stderr).toMatch(/continue=[^&\s]+&limit=2/);
  });

  it("streams changes to kubectl get -w", async () => {
    const w = spawn("kubectl", ["--kubeconfig", cs.adminKubeconfig, "get", "placementdecisions", "-n", "fleet", "-w", "--output-watch-events"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    w.stdout.on("data", (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(async () => (out.includes("pd6") ? true : undefined), { what: "initial list in get -w", timeoutMs: 20_000 });
      await cs.hub.kubectl(["label", "placementdecision", "pd6", "-n", "fleet", "watched=yes"], { check: true });
      await waitFor(async () => (/MODIFIED\s+pd6/.test(out) ? true : undefined), { what: "MODIFIED event", timeoutMs: 20_000 });
      await cs.hub.kubectl(["delete", "placementdecision", "pd6", "-n", "fleet"], { check: true });
      await waitFor(async () => (/DELETED\s+pd6/.test(out) ? true : undefined), { what: "DELETED event", timeoutMs: 20_000 });
      // What it saw, not only that it saw something: every object once in the initial list, then pd6's own life.
      const events = out.split("\n").map((l) => l.trim().split(/\s+/)).filter((f) => /^pd\d$/.test(f[1] ?? ""));
      const initial = events.filter((f) => f[0] === "ADDED").map((f) => f[1]);
      expect(new Set(initial)).toEqual(new Set(["pd1", "pd2", "pd3", "pd4", "pd5", "pd6"]));
      expect(initial).toHaveLength(6);
      expect(events.filter((f) => f[1] === "pd6").map((f) => f[0])).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    } finally {
      w.kill();
    }
  });

  it("updates with optimistic concurrency and bumps generation only on spec changes", async () => {
    const get = async () => JSON.parse((await cs.hub.kubectl(["get", "placementdecision", "pd2", "-n", "fleet", "-o", "json"], { check: true })).stdout) as { metadata: { generation: number; resourceVersion: string }; schedulerName: string };
    const before = await get();
    await cs.hub.kubectl(["annotate", "placementdecision", "pd2", "-n", "fleet", "note=x"], { check: true });
    const annotated = await get();
    expect(annotated.metadata.generation).toBe(before.metadata.generation);
    expect(Number(annotated.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    const replaced = { ...annotated, schedulerName: "sched-b" };
    const r = await cs.hub.kubectl(["replace", "-f", "-"], { input: JSON.stringify(replaced), check: true });
    expect(r.stdout).toContain("replaced");
    expect((await get()).metadata.generation).toBe(before.metadata.generation + 1);
    const stale = await cs.hub.kubectl(["replace", "-f", "-"], { input: JSON.stringify({ ...annotated, schedulerName: "sched-c" }) });
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain("the object has been modified; please apply your changes to the latest version and try again");
  });

  it("deletes, and kubectl delete --wait returns", async () => {
    const d = await cs.hub.kubectl(["delete", "placementdecision", "pd1", "-n", "fleet", "--wait=true"], { timeoutMs: 30_000 });
    expect(d.code, d.stderr).toBe(0);
    // Newer kubectl (1.37; not 1.33) names the namespace too.
    expect(d.stdout.trim()).toBe('placementdecision.multicluster.x-k8s.io "pd1" deleted from fleet namespace');
    expect((await cs.hub.kubectl(["get", "placementdecision", "pd1", "-n", "fleet"])).code).not.toBe(0);
  });

  it("refuses invalid objects with 422 field causes", async () => {
    const bad = JSON.stringify({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name: "bad" }, decisions: [{ clusterProfileRef: {} }] });
    const r = await cs.hub.kubectl(["create", "-n", "fleet", "-f", "-"], { input: bad });
    expect(r.code).not.toBe(0);
    // kubectl rewords a 422's message from its causes: `The PlacementDecision "bad" is invalid: <field>: <cause>`.
    expect(r.stderr).toContain('The PlacementDecision "bad" is invalid');
    expect(r.stderr).toContain("decisions[0].clusterProfileRef.name: Required value");
  });
});
