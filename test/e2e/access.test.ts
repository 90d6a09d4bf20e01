/**
 * A cluster-inventory-api consumer reaches a member from its ClusterProfile as Kueue MultiKueue, Argo CD and
 * multicluster-runtime do (issue 15 item 1): the upstream typed client reads the profile through the real hub,
 * the upstream `access.BuildConfigFromCP` builds a rest.Config from a provider file naming the upstream
 * kubeconfig-secretreader exec plugin (both from the pinned module in test/go/access), and the plugin reads the
 * member's join Secret from the hub with the consumer's own credentials. The profile carries no credential: a
 * consumer that may read profiles but not Secrets is refused by the hub's RBAC, in the plugin, not by us.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { goTool, KUBECONFIG_SECRETREADER } from "../harness/go-tools.js";
import { joinMember } from "../harness/join.js";
import { until } from "../harness/processes.js";
import { userKubeconfig, type UserCredentials } from "../harness/users.js";

const NS = "inventory";
let cs: ClusterSet;
let consumerBin: string;
let pluginBin: string;

beforeAll(async () => {
  [consumerBin, pluginBin, cs] = await Promise.all([
    goTool("access", "consumer"),
    goTool("access", "kubeconfig-secretreader", KUBECONFIG_SECRETREADER),
    startClusterSet({ members: 1, label: "access" }),
  ]);
  await joinMember(cs.hub, cs.members[0]!, { namespace: NS });
  await until(async () => {
    const r = await cs.hub.kubectl(["get", "clusterprofile", "member1", "-n", NS, "-o", "jsonpath={.status.conditions[?(@.type=='ControlPlaneHealthy')].status}"]);
    return r.stdout === "True";
  }, "member1 healthy");
  // Consumers may read profiles everywhere; only "reader" may also read Secrets in the inventory namespace.
  const rbac = [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "profile-reader" }, rules: [{ apiGroups: ["multicluster.x-k8s.io"], resources: ["clusterprofiles"], verbs: ["get", "list", "watch"] }] },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "profile-readers" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "profile-reader" }, subjects: ["reader", "no-secrets"].map((name) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name })) },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "kubeconfig-secretreader", namespace: NS }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "kubeconfig-secretreader", namespace: NS }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "kubeconfig-secretreader" }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "reader" }] },
  ];
  await cs.hub.kubectl(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: rbac }), check: true });
});
afterAll(async () => {
  await cs?.stop();
});

interface Outcome {
  code: number;
  result: { step: string; error?: string; host?: string; plugin?: string; namespaces?: string[] };
  stderr: string;
}

/** The consumer as `user`, with a provider file whose plugin runs with the same user's hub kubeconfig. */
async function consume(user: UserCredentials): Promise<Outcome> {
  const providerFile = path.join(cs.runDir.sub("access"), `providers-${user.user}.json`);
  const provider = {
    name: "kubeconfig-secretreader",
    execConfig: { apiVersion: "client.authentication.k8s.io/v1", command: pluginBin, provideClusterInfo: true, interactiveMode: "Never", env: [{ name: "KUBECONFIG", value: user.kubeconfigPath }] },
  };
  writeFileSync(providerFile, JSON.stringify({ providers: [provider] }));
  const args = [`--kubeconfig=${user.kubeconfigPath}`, `--namespace=${NS}`, "--profile=member1", `--clusterprofile-provider-file=${providerFile}`];
  const child = spawn(consumerBin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.once("close", (c) => resolve(c ?? -1)));
  return { code, result: JSON.parse(stdout.trim()) as Outcome["result"], stderr };
}

describe("pkg/access BuildConfigFromCP with the kubeconfig-secretreader plugin", () => {
  it("reaches the member named by the profile and lists its namespaces", async () => {
    const out = await consume(await userKubeconfig(cs.hub, { cn: "reader" }));
    expect(out.result, out.stderr).toMatchObject({ step: "done", host: cs.members[0]!.url, plugin: pluginBin });
    expect(out.code).toBe(0);
    // What the member itself has: the plugin used the credentials in the join Secret, not anything of ours.
    const theirs = (await cs.members[0]!.kubectl(["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"], { check: true })).stdout.split(" ");
    expect(out.result.namespaces!.sort()).toEqual(theirs.sort());
  });

  it("a consumer that may not read the Secret is refused by the hub's RBAC in the plugin; the profile holds no credential", async () => {
    const out = await consume(await userKubeconfig(cs.hub, { cn: "no-secrets" }));
    expect(out.code).toBe(1);
    // The profile was read and the config built; only getting credentials failed, at the hub.
    expect(out.result.step).toBe("list-namespaces");
    expect(out.result.error).toMatch(/getting credentials: exec/);
    expect(out.stderr).toContain(`secrets "member1" is forbidden: User "no-secrets" cannot get resource "secrets" in API group "" in the namespace "${NS}"`);
    const profile = (await cs.hub.kubectl(["get", "clusterprofile", "member1", "-n", NS, "-o", "json"], { check: true })).stdout;
    expect(profile).not.toMatch(/client-key-data|client-certificate-data|"token"/);
    expect(profile).not.toContain(cs.members[0]!.pki.admin.keyPem.split("\n")[1]!);
  });
});
