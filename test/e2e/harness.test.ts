/**
 * Proves the harness on real parts: a kube-apiserver cluster (the release test/go/kube pins) with its controller-manager, a
 * member with KWOK Nodes and kube-scheduler, and a cluster set whose hub proxies multicluster.x-k8s.io/v1alpha1 to a
 * stub server (the real server has its own suites; a failure here is the harness's).
 */
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { until } from "../harness/processes.js";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import {
  APISERVICE_NAME,
  defaultNodes,
  frontProxyClientAs,
  httpsRequest,
  joinMember,
  kubeVersion,
  repoRoot,
  startCluster,
  useCluster,
  useClusterSet,
  userKubeconfig,
} from "../harness/index.js";

describe("a cluster", () => {
  const cluster = useCluster({ name: "solo" });

  it("answers kubectl as admin", async () => {
    const res = await cluster().kubectl(["get", "ns", "-o", "name"], { check: true });
    expect(res.stdout).toContain("namespace/kube-system");
    const version = await cluster().request("/version");
    expect(version.json<{ gitVersion: string }>().gitVersion).toBe(kubeVersion);
  });

  it("deletes a namespace (the controller-manager's namespace controller runs)", async () => {
    const c = cluster();
    await c.kubectl(["create", "ns", "doomed"], { check: true });
    await c.kubectl(["create", "configmap", "x", "-n", "doomed", "--from-literal=a=b"], { check: true });
    await c.kubectl(["delete", "ns", "doomed", "--wait=false"], { check: true });
    const deadline = Date.now() + 60_000;
    while ((await c.request("/api/v1/namespaces/doomed")).status !== 404) {
      expect(Date.now(), "namespace still there after 60 s").toBeLessThan(deadline);
      await sleep(250);
    }
  });

  it("authenticates client certificates by CN and O", async () => {
    const alice = await userKubeconfig(cluster(), { cn: "alice", groups: ["team-a"] });
    const res = await alice.kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}"]);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe('alice ["team-a","system:authenticated"]');
    const denied = await alice.kubectl(["get", "secrets", "-n", "default"]);
    expect(denied.stderr).toContain('User "alice" cannot list resource "secrets"');
  });

  it("has the front-proxy certificates the aggregator uses", () => {
    const pki = cluster().pki;
    for (const f of [pki.frontProxyCa.certPath, pki.frontProxyClient.certPath, pki.frontProxyClient.keyPath]) {
      expect(existsSync(f)).toBe(true);
    }
    const args = cluster().processes.apiserver.args.join(" ");
    expect(args).toContain(`--proxy-client-cert-file=${pki.frontProxyClient.certPath}`);
    expect(args).toContain("--requestheader-allowed-names=front-proxy-client");
  });
});

describe("a member with KWOK Nodes", () => {
  it("binds and runs a Pod on them, and stop() ends KWOK and the scheduler with the rest", async () => {
    const c = await startCluster({ name: "kwoked", nodes: defaultNodes("kwoked") });
    const procs = Object.values(c.processes).filter((p) => p !== undefined);
    try {
      expect(procs.map((p) => p.name).sort()).toEqual(["kwoked/etcd", "kwoked/kube-apiserver", "kwoked/kube-controller-manager", "kwoked/kube-scheduler", "kwoked/kwok"]);
      const nodes = await c.kubectl(["get", "nodes", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")].status} {end}"], { check: true });
      expect(nodes.stdout.trim()).toBe("kwoked-node-1=True kwoked-node-2=True kwoked-node-3=True");
      await c.kubectl(["run", "solo", "--image=nginx:1.25", "-n", "default"], { check: true });
      const pod = await until(async () => {
        const r = await c.kubectl(["get", "pod", "solo", "-n", "default", "-o", "jsonpath={.status.phase} {.spec.nodeName} {.status.podIP}"]);
        return r.stdout.startsWith("Running ") ? r.stdout : undefined;
      }, "Pod solo Running", 60_000);
      expect(pod).toMatch(/^Running kwoked-node-\d \d+\.\d+\.\d+\.\d+$/);
      // KWOK keeps each Node's Lease, as a kubelet does: without them node lifecycle takes the Nodes for dead
      // after its grace period and marks every Pod not Ready for good.
      const leases = await until(async () => {
        const r = await c.kubectl(["get", "leases", "-n", "kube-node-lease", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.leaseDurationSeconds} {end}"]);
        return r.stdout.trim().split(" ").length === 3 ? r.stdout.trim() : undefined;
      }, "three Node Leases", 30_000);
      expect(leases.split(" ").sort()).toEqual(["kwoked-node-1=40", "kwoked-node-2=40", "kwoked-node-3=40"]);
    } finally {
      await c.stop();
    }
    // Every one of them has exited (and been reaped: no /proc entry left).
    for (const p of procs) {
      expect(p.running(), p.name).toBe(false);
      expect(existsSync(`/proc/${p.pid}`), `${p.name} pid ${p.pid}`).toBe(false);
    }
  }, 300_000);
});

describe("a cluster set (with the stub server)", () => {
  const cs = useClusterSet({
    members: 1,
    memberControllerManagers: false,
    label: "harness-test",
    server: { entry: path.join(repoRoot, "test", "harness", "fixtures", "stub-server.ts") },
  });

  it("registers the APIService and proxies through the hub", async () => {
    const { hub } = cs();
    const got = await hub.kubectl(["get", "apiservice", APISERVICE_NAME, "-o", "jsonpath={.status.conditions[0].status}"]);
    expect(got.stdout).toBe("True");
    const raw = await hub.kubectl(["get", "--raw", "/apis/multicluster.x-k8s.io/v1alpha1"], { check: true });
    expect(JSON.parse(raw.stdout)).toMatchObject({ groupVersion: "multicluster.x-k8s.io/v1alpha1" });
    // The hub reached us as the front-proxy client with the admin's identity in headers.
    const log = readFileSync(cs().server.proc!.logPath, "utf8");
    expect(log).toMatch(/GET \/apis\/multicluster.x-k8s.io\/v1alpha1 user=admin/);
  });

  it("applies deploy/base/rbac.yaml for the ServiceAccount", async () => {
    const can = await cs().hub.kubectl([
      "auth", "can-i", "watch", "secrets", "--all-namespaces",
      "--as=system:serviceaccount:clusterset-system:clusterset-apiserver",
    ]);
    expect(can.stdout.trim()).toBe("yes");
    // Users: the default `view` ClusterRole gains our resources by aggregation.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const view = await cs().hub.request("/apis/rbac.authorization.k8s.io/v1/clusterroles/view");
      if (view.body.includes("multicluster.x-k8s.io")) break;
      expect(Date.now(), "view has no multicluster.x-k8s.io rules after 30 s").toBeLessThan(deadline);
      await sleep(250);
    }
  });

  it("restarts the server after a crash", async () => {
    const s = cs().server;
    const before = s.pid;
    await s.kill9();
    expect(s.running()).toBe(false);
    await s.start();
    expect(s.pid).not.toBe(before);
    await cs().waitAvailable();
  });

  it("joins a member with a kubeconfig Secret", async () => {
    const { hub, members } = cs();
    const joined = await joinMember(hub, members[0]!, { namespace: "fleet", displayName: "Member One" });
    const secret = await hub.request(`/api/v1/namespaces/fleet/secrets/${joined.secretName}`);
    const body = secret.json<{ type: string; data: { kubeconfig: string } }>();
    expect(body.type).toBe("clusterset.dev/kubeconfig");
    expect(Buffer.from(body.data.kubeconfig, "base64").toString()).toContain(members[0]!.url);
  });

  it("issues front-proxy certificates with any CN", async () => {
    const evil = await frontProxyClientAs(cs().hub, "not-the-aggregator");
    const cert = new X509Certificate(evil.cert);
    expect(cert.subject).toBe("CN=not-the-aggregator");
    expect(cert.verify(new X509Certificate(evil.ca).publicKey)).toBe(true);
    expect(evil.ca).toBe(cs().frontProxyClient.ca);
    // The front-proxy CA is not a client CA of the hub: as a plain client certificate it is refused.
    const res = await httpsRequest(`${cs().hub.url}/api/v1/namespaces`, { ca: cs().hub.caPem, cert: evil.cert, key: evil.key });
    expect(res.status).toBe(401);
  });
});
