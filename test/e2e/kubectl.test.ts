/**
 * kubectl of the hub's release (built with it), 1.27, 1.32 (the machine's) and 1.33 against the hub: each behaves as it does with the upstream CRDs
 * on a kube-apiserver, plus our columns and category.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaries, kubeVersion } from "../harness/binaries.js";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";

const sdk = "/usr/lib/google-cloud-sdk/bin";
// The hub's own release (built with it), and the machine's older clients within and beyond kubectl's skew.
const versions = [
  { name: kubeVersion.replace(/^v(\d+\.\d+).*/, "$1"), bin: (await binaries()).kubectl },
  { name: "1.27", bin: path.join(sdk, "kubectl.1.27") },
  { name: "1.32", bin: "/usr/bin/kubectl" },
  { name: "1.33", bin: path.join(sdk, "kubectl.1.33") },
];

let cs: ClusterSet;
beforeAll(async () => {
  cs = await startClusterSet({ members: 0, label: "kubectl" });
});
afterAll(async () => {
  await cs?.stop();
});

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

function kubectl(bin: string, args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const cacheDir = path.join(cs.runDir.path, `kubectl-cache-${path.basename(bin)}`);
  return new Promise((resolve) => {
    const child = spawn(bin, ["--kubeconfig", cs.adminKubeconfig, "--cache-dir", cacheDir, ...args], { env: { ...process.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: code ?? -1 });
    });
    child.stdin.end(opts.input ?? "");
  });
}

const profile = (name: string, displayName: string) => `apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ClusterProfile
metadata:
  name: ${name}
  labels:
    env: test
spec:
  displayName: ${displayName}
  clusterManager:
    name: other-manager
`;

describe.each(versions)("kubectl $name", ({ name: v, bin }) => {
  const ns = `k${v.replace(".", "-")}`;
  const ok = async (args: string[], opts?: { input?: string; env?: Record<string, string> }) => {
    const r = await kubectl(bin, args, opts);
    expect(r.code, `kubectl ${v} ${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r;
  };

  it("is installed", () => {
    expect(existsSync(bin)).toBe(true);
  });

  it("creates, applies (client-side) and re-applies", async () => {
    await ok(["create", "namespace", ns]);
    const created = await ok(["apply", "-n", ns, "-f", "-"], { input: profile("p1", "One") });
    expect(created.stdout.trim()).toBe("clusterprofile.multicluster.x-k8s.io/p1 created");
    const unchanged = await ok(["apply", "-n", ns, "-f", "-"], { input: profile("p1", "One") });
    expect(unchanged.stdout.trim()).toBe("clusterprofile.multicluster.x-k8s.io/p1 unchanged");
    const configured = await ok(["apply", "-n", ns, "-f", "-"], { input: profile("p1", "Uno") });
    expect(configured.stdout.trim()).toBe("clusterprofile.multicluster.x-k8s.io/p1 configured");
    const o = JSON.parse((await ok(["get", "clusterprofile", "p1", "-n", ns, "-o", "json"])).stdout) as { spec: { displayName: string }; metadata: { annotations: Record<string, string>; generation: number } };
    expect(o.spec.displayName).toBe("Uno");
    expect(o.metadata.generation).toBe(2);
    expect(o.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]).toContain('"displayName":"Uno"');
  });

  it("labels, annotates and edits through merge patch", async () => {
    await ok(["label", "clusterprofile", "p1", "-n", ns, "tier=gold"]);
    await ok(["annotate", "clusterprofile", "p1", "-n", ns, "note=hello"]);
    const editor = path.join(cs.runDir.path, "editor.sh");
    if (!existsSync(editor)) {
      mkdirSync(path.dirname(editor), { recursive: true });
      writeFileSync(editor, '#!/bin/sh\nsed -i "s/displayName: Uno/displayName: Edited/" "$1"\n', { mode: 0o755 });
    }
    const edited = await ok(["edit", "clusterprofile", "p1", "-n", ns], { env: { KUBE_EDITOR: editor, EDITOR: editor } });
    expect(edited.stdout).toContain("edited");
    const got = await ok(["get", "clusterprofile", "p1", "-n", ns, "-o", "jsonpath={.metadata.labels.tier} {.metadata.annotations.note} {.spec.displayName}"]);
    expect(got.stdout).toBe("gold hello Edited");
  });

  it("gets default and wide columns, yaml, and the multicluster category", async () => {
    const table = await ok(["get", "clusterprofiles", "-n", ns]);
    expect(table.stdout.split("\n")[0]!.split(/\s{2,}/)).toEqual(["NAME", "DISPLAY NAME", "MANAGER", "VERSION", "HEALTHY", "AGE"]);
    expect(table.stdout).toMatch(/p1\s+Edited\s+other-manager/);
    const wide = await ok(["get", "clusterprofiles", "-n", ns, "-o", "wide"]);
    expect(wide.stdout.split("\n")[0]).toMatch(/AGE\s+JOINED\s+PROPERTIES$/);
    const yaml = await ok(["get", "clusterprofile", "p1", "-n", ns, "-o", "yaml"]);
    expect(yaml.stdout).toContain("kind: ClusterProfile");
    const cat = await ok(["get", "multicluster", "-n", ns, "-o", "name"]);
    expect(cat.stdout.trim()).toBe("clusterprofile.multicluster.x-k8s.io/p1");
  });

  it("applies server-side, reports a field-manager conflict, and forces it", async () => {
    const first = await ok(["apply", "--server-side", "--field-manager=team-a", "-n", ns, "-f", "-"], { input: profile("ssa", "Alpha") });
    expect(first.stdout.trim()).toBe("clusterprofile.multicluster.x-k8s.io/ssa serverside-applied");
    const clash = await kubectl(bin, ["apply", "--server-side", "--field-manager=team-b", "-n", ns, "-f", "-"], { input: profile("ssa", "Beta") });
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain('conflict with "team-a"');
    expect(clash.stderr).toContain(".spec.displayName");
    await ok(["apply", "--server-side", "--field-manager=team-b", "--force-conflicts", "-n", ns, "-f", "-"], { input: profile("ssa", "Beta") });
    const o = JSON.parse((await ok(["get", "clusterprofile", "ssa", "-n", ns, "-o", "json", "--show-managed-fields"])).stdout) as { spec: { displayName: string }; metadata: { managedFields: { manager: string; operation: string }[] } };
    expect(o.spec.displayName).toBe("Beta");
    expect(o.metadata.managedFields.map((f) => `${f.manager}/${f.operation}`)).toContain("team-b/Apply");
    await ok(["delete", "clusterprofile", "ssa", "-n", ns]);
  });

  it("dry-runs on the server and validates fields strictly as kubectl asks", async () => {
    const dry = await ok(["create", "-n", ns, "-f", "-", "--dry-run=server"], { input: profile("dry", "Dry") });
    expect(dry.stdout).toContain("created (server dry run)");
    expect((await kubectl(bin, ["get", "clusterprofile", "dry", "-n", ns])).code).not.toBe(0);
    const unknown = profile("strict", "S").replace("spec:\n", "spec:\n  bogusField: 1\n");
    const strict = await kubectl(bin, ["create", "-n", ns, "-f", "-", "--validate=strict"], { input: unknown });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toMatch(/unknown field "spec.bogusField"/);
    const warn = await kubectl(bin, ["create", "-n", ns, "-f", "-", "--validate=warn"], { input: unknown });
    expect(warn.code, warn.stderr).toBe(0);
    expect(warn.stderr).toMatch(/unknown field "spec.bogusField"/);
    const stored = JSON.parse((await ok(["get", "clusterprofile", "strict", "-n", ns, "-o", "json"])).stdout) as { spec: Record<string, unknown> };
    expect(stored.spec).not.toHaveProperty("bogusField");
    await ok(["delete", "clusterprofile", "strict", "-n", ns]);
  });

  it("describes and explains", async () => {
    const d = await ok(["describe", "clusterprofile", "p1", "-n", ns]);
    expect(d.stdout).toMatch(/Name:\s+p1/);
    expect(d.stdout).toMatch(/Display Name:\s+Edited/);
    const e = await ok(["explain", "clusterprofile.spec.displayName"]);
    expect(e.stdout).toContain("DisplayName defines a human-readable name of the ClusterProfile");
  });

  it("answers auth can-i from the hub's RBAC", async () => {
    const yes = await kubectl(bin, ["auth", "can-i", "create", "clusterprofiles.multicluster.x-k8s.io", "-n", ns]);
    expect(yes.stdout.trim()).toBe("yes");
    const no = await kubectl(bin, ["auth", "can-i", "create", "clusterprofiles.multicluster.x-k8s.io", "-n", ns, "--as=nobody"]);
    expect(no.stdout.trim()).toBe("no");
  });

  it("waits for a condition written through the status subresource, and for a jsonpath value", async () => {
    // Started first, so the wait sees the condition arrive through its watch rather than on its first GET.
    const waiting = kubectl(bin, ["wait", "--for=condition=ControlPlaneHealthy", "clusterprofile/p1", "-n", ns, "--timeout=60s"]);
    const status = { status: { conditions: [{ type: "ControlPlaneHealthy", status: "True", reason: "Probed", message: "ok", lastTransitionTime: "2026-01-01T00:00:00Z" }] } };
    await ok(["patch", "clusterprofile", "p1", "-n", ns, "--subresource=status", "--type=merge", "-p", JSON.stringify(status)]);
    const w = await waiting;
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout.trim()).toBe("clusterprofile.multicluster.x-k8s.io/p1 condition met");
    const j = await ok(["wait", "--for=jsonpath={.spec.displayName}=Edited", "clusterprofile/p1", "-n", ns, "--timeout=30s"]);
    expect(j.stdout.trim()).toBe("clusterprofile.multicluster.x-k8s.io/p1 condition met");
  });

  it("deletes with --wait", async () => {
    const r = await ok(["delete", "clusterprofile", "p1", "-n", ns, "--wait=true"]);
    // Newer kubectl (1.37; not 1.33) names the namespace too.
    const where = Number(v.split(".")[1]) > 33 ? ` from ${ns} namespace` : "";
    expect(r.stdout.trim()).toBe(`clusterprofile.multicluster.x-k8s.io "p1" deleted${where}`);
    const gone = await kubectl(bin, ["get", "clusterprofile", "p1", "-n", ns]);
    expect(gone.stderr).toContain('clusterprofiles.multicluster.x-k8s.io "p1" not found');
  });
});
