/**
 * `kubectl clusterset` (issue 18 item 3), found by kubectl 1.37 on PATH as the `kubectl-clusterset` bin of
 * package.json and run against the real hub: `join` from a kubeconfig context, `status` (health and since when,
 * version, nodes, Works applied / failed), `leave` (says what goes, asks, and deletes only on yes).
 */
import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaries, kubeVersion } from "../harness/binaries.js";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { writeUserKubeconfig } from "../harness/kubeconfig.js";
import { until } from "../harness/processes.js";
import { runCommand } from "../harness/run-command.js";
import { repoRoot } from "../harness/run-dir.js";

const NS = "plugin";
let cs: ClusterSet;
let kubectlBin: string;
let binDir: string;
let kubeconfig: string;

beforeAll(async () => {
  [cs, { kubectl: kubectlBin }] = await Promise.all([startClusterSet({ members: 1, label: "kubectl-plugin" }), binaries()]);
  // As `npm install -g` would put it on PATH: an executable named kubectl-clusterset.
  binDir = cs.runDir.sub("plugin-bin");
  const shim = path.join(binDir, "kubectl-clusterset");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" --import tsx "${path.join(repoRoot, "kubectl-clusterset.ts")}" "$@"\n`);
  chmodSync(shim, 0o755);
  // One kubeconfig with the hub (current) and the member's context, as a user running `join` has.
  const m = cs.members[0]!;
  kubeconfig = path.join(cs.runDir.sub("plugin"), "config");
  writeUserKubeconfig(kubeconfig, cs.hub, m, "east");
});
afterAll(async () => {
  await cs?.stop();
});

/** kubectl with the plugin's folder first on PATH and our kubeconfig in KUBECONFIG, as a user runs it. */
const kubectl = (args: string[], input?: string) => runCommand(kubectlBin, args, { input: input ?? "", env: { PATH: `${binDir}:${process.env.PATH ?? ""}`, KUBECONFIG: kubeconfig } });

const work = (name: string, manifests: object[]) =>
  JSON.stringify({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "Work", metadata: { name, namespace: NS, labels: { "clusterset.dev/cluster": "east" } }, spec: { workload: { manifests } } });

describe("kubectl clusterset", () => {
  it("is a kubectl plugin", async () => {
    const r = await kubectl(["plugin", "list"]);
    expect(r.stdout).toContain(path.join(binDir, "kubectl-clusterset"));
  });

  it("join writes the member's Secret from a kubeconfig context", async () => {
    await cs.hub.kubectl(["create", "namespace", NS], { check: true });
    const r = await kubectl(["clusterset", "join", "--context", "east", "--namespace", NS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`secret ${NS}/east created: cluster "east" joins as ClusterProfile ${NS}/east\n`);
  });

  it("status shows each member's health, version, nodes and its Works applied / failed", async () => {
    await cs.hub.kubectl(["apply", "-f", "-"], { input: work("ok", [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ok", namespace: "default" }, data: { a: "1" } }]), check: true });
    // The member refuses this one: the namespace does not exist there.
    await cs.hub.kubectl(["apply", "-f", "-"], { input: work("refused", [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "no-such-namespace" } }]), check: true });
    const line = await until(async () => {
      const r = await kubectl(["clusterset", "status"]);
      const l = r.stdout.split("\n").find((x) => x.startsWith(`${NS} `));
      return l && /\s1\s+1$/.test(l) ? { header: r.stdout.split("\n")[0]!, l } : undefined;
    }, "status shows one Work applied and one failed");
    expect(line.header.split(/\s{2,}/)).toEqual(["NAMESPACE", "NAME", "HEALTHY", "SINCE", "VERSION", "NODES", "WORKS APPLIED", "WORKS FAILED"]);
    const [ns, name, healthy, since, ago, version, nodes, applied, failed] = line.l.split(/\s+/);
    // NODES: the member's three KWOK Nodes (the harness gives every member three).
    expect([ns, name, healthy, version, nodes, applied, failed]).toEqual([NS, "east", "True", kubeVersion, "3", "1", "1"]);
    expect(since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ago).toMatch(/^\(\d+[smhd]\)$/);
    const scoped = await kubectl(["clusterset", "status", "-n", "elsewhere"]);
    expect(scoped.stdout).toBe("No members found.\n");
  });

  it("leave says what it removes, deletes nothing on no, and the Secret on yes", async () => {
    const no = await kubectl(["clusterset", "leave", "east", "-n", NS], "n\n");
    expect(no.code, no.stderr).toBe(0);
    expect(no.stdout).toContain(`Secret ${NS}/east (the member's kubeconfig)`);
    expect(no.stdout).toContain(`  ClusterProfile ${NS}/east\n`);
    expect(no.stdout).toContain("2 Work(s) target it");
    expect(no.stdout).toMatch(/Delete\? \[y\/N\] Nothing deleted\.\n$/);
    expect((await cs.hub.kubectl(["get", "secret", "east", "-n", NS])).code).toBe(0);
    const yes = await kubectl(["clusterset", "leave", "east", "-n", NS, "--yes"]);
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout.trim().split("\n").at(-1)).toBe(`secret ${NS}/east deleted: member ${NS}/east left`);
    expect((await cs.hub.kubectl(["get", "secret", "east", "-n", NS])).code).not.toBe(0);
    await until(async () => (await cs.hub.kubectl(["get", "clusterprofile", "east", "-n", NS])).code !== 0, "profile gone with its Secret");
    const gone = await kubectl(["clusterset", "leave", "east", "-n", NS, "--yes"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`error: clusterprofiles.multicluster.x-k8s.io "east" not found\n`);
  });
});
