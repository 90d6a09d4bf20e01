/**
 * The spine (issue 3): a real hub serves multicluster.x-k8s.io/v1alpha1 through our server, with delegated
 * authentication and authorization. Through the hub with kubectl unless a test says "straight to our port".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { httpsRequest } from "../harness/https.js";
import { createCa, issueCert } from "../harness/pki.js";
import { until } from "../harness/processes.js";

import { frontProxyClientAs } from "../harness/users.js";
import { userKubeconfig } from "../harness/users.js";
import path from "node:path";

const G = "/apis/multicluster.x-k8s.io/v1alpha1";
let cs: ClusterSet;

beforeAll(async () => {
  cs = await startClusterSet({ members: 0, label: "spine" });
});

afterAll(async () => {
  await cs?.stop();
});

/** A request straight to our server, as the aggregator makes it: front-proxy client cert + X-Remote-* headers. */
function direct(pathname: string, creds: { cert?: string; key?: string }, headers: Record<string, string | string[]> = {}) {
  return httpsRequest(`${cs.server.url}${pathname}`, { ca: cs.server.caPem, cert: creds.cert, key: creds.key }, { headers });
}

describe("registration", () => {
  it("turns the APIService Available with 'all checks passed'", async () => {
    const r = await cs.hub.kubectl(["get", "apiservice", "v1alpha1.multicluster.x-k8s.io", "-o", "json"], { check: true });
    const cond = (JSON.parse(r.stdout) as { status: { conditions: { type: string; status: string; message: string }[] } }).status.conditions.find((c) => c.type === "Available");
    expect(cond).toMatchObject({ status: "True", message: "all checks passed" });
  });

  it("lists our three resources in api-resources, and `get multicluster -A` works", async () => {
    const r = await cs.hub.kubectl(["api-resources", "--api-group=multicluster.x-k8s.io", "-o", "name"], { check: true });
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual([
      "clusterprofiles.multicluster.x-k8s.io",
      "placementdecisions.multicluster.x-k8s.io",
      "works.multicluster.x-k8s.io",
    ]);
    const all = await cs.hub.kubectl(["get", "multicluster", "-A"]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toMatch(/No resources found/);
  });

  it("the deploy/ base is valid on the hub (server-side dry run)", async () => {
    const r = await cs.hub.kubectl(["apply", "-k", path.join(process.cwd(), "deploy", "base"), "--dry-run=server"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/apiservice.apiregistration.k8s.io\/v1alpha1.multicluster.x-k8s.io/);
  });
});

describe("authorization through the hub", () => {
  it("a user bound to the aggregated view role may list and may not create", async () => {
    const viewer = await userKubeconfig(cs.hub, { cn: "viewer" });
    await cs.hub.kubectl(["create", "rolebinding", "viewer-view", "--clusterrole=view", "--user=viewer", "-n", "default"], { check: true });
    // RBAC aggregation fills the view role asynchronously.
    await until(async () => (await viewer.kubectl(["get", "clusterprofiles", "-n", "default"])).code === 0, "viewer can list", 30_000);
    const list = await viewer.kubectl(["get", "works", "-n", "default"]);
    expect(list.code, list.stderr).toBe(0);
    const create = await viewer.kubectl(["create", "-f", "-", "-n", "default"], {
      input: JSON.stringify({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name: "p" }, decisions: [] }),
    });
    expect(create.code).not.toBe(0);
    expect(create.stderr).toMatch(/forbidden/i);
  });
});

describe("authentication, straight to our port", () => {
  it("answers 403 with kube-apiserver's whole message for a front-proxied user without rights", async () => {
    const fp = cs.frontProxyClient;
    const r = await direct(`${G}/namespaces/default/clusterprofiles`, fp, { "X-Remote-User": "alice" });
    expect(r.status).toBe(403);
    const status = r.json<{ kind: string; reason: string; message: string; code: number }>();
    expect(status).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403 });
    expect(status.message).toBe('clusterprofiles.multicluster.x-k8s.io is forbidden: User "alice" cannot list resource "clusterprofiles" in API group "multicluster.x-k8s.io" in the namespace "default"');
  });

  it("front-proxied admin (system:masters) is allowed", async () => {
    const r = await direct(`${G}/namespaces/default/clusterprofiles`, cs.frontProxyClient, { "X-Remote-User": "admin", "X-Remote-Group": "system:masters" });
    expect(r.status, r.body).toBe(200);
    expect(r.json<{ kind: string; metadata: { resourceVersion: string } }>()).toMatchObject({ kind: "ClusterProfileList" });
  });

  it("never takes X-Remote-User from a request without a front-proxy certificate", async () => {
    const r = await direct(`${G}/namespaces/default/clusterprofiles`, {}, { "X-Remote-User": "admin", "X-Remote-Group": "system:masters" });
    expect([401, 403]).toContain(r.status);
    if (r.status === 403) expect(r.json<{ message: string }>().message).toContain('User "system:anonymous"');
  });

  it("a client-CA certificate whose CN is an allowed front-proxy name is that user, not the header's", async () => {
    const u = await userKubeconfig(cs.hub, { cn: "front-proxy-client" });
    const r = await direct(`${G}/namespaces/default/clusterprofiles`, { cert: u.certPem, key: u.keyPem }, { "X-Remote-User": "admin", "X-Remote-Group": "system:masters" });
    expect(r.status).toBe(403);
    expect(r.json<{ message: string }>().message).toContain('User "front-proxy-client"');
  });

  it("a front-proxy certificate with a CN not in the allowed names is not trusted for headers", async () => {
    const other = await frontProxyClientAs(cs.hub, "not-the-aggregator");
    const r = await direct(`${G}/namespaces/default/clusterprofiles`, other, { "X-Remote-User": "admin", "X-Remote-Group": "system:masters" });
    expect([401, 403]).toContain(r.status);
    expect(r.body).not.toContain('User "admin"');
  });

  it("a client-CA certificate authenticates as CN with groups from O", async () => {
    const u = await userKubeconfig(cs.hub, { cn: "carol", groups: ["fleet-admins"] });
    await cs.hub.kubectl(["create", "clusterrolebinding", "fleet-admins-view", "--clusterrole=view", "--group=fleet-admins"], { check: true });
    await until(async () => (await direct(`${G}/namespaces/default/works`, { cert: u.certPem, key: u.keyPem })).status === 200, "carol (group fleet-admins) can list works", 30_000);
    const denied = await direct(`${G}/namespaces/default/works`, { cert: u.certPem, key: u.keyPem }, { "X-Remote-User": "admin" });
    // Headers never lift a plain client certificate to another user; listing works again proves who it was.
    expect(denied.status).toBe(200);
    const create = await httpsRequest(`${cs.server.url}${G}/namespaces/default/works`, { ca: cs.server.caPem, cert: u.certPem, key: u.keyPem }, { method: "POST", body: {} });
    expect(create.status).toBe(403);
    expect(create.json<{ message: string }>().message).toContain('User "carol" cannot create resource "works"');
  });

  it("a service-account token is authenticated through TokenReview", async () => {
    await cs.hub.kubectl(["create", "serviceaccount", "robot", "-n", "default"], { check: true });
    const token = (await cs.hub.kubectl(["create", "token", "robot", "-n", "default"], { check: true })).stdout.trim();
    const r = await direct(`${G}/namespaces/default/works`, {}, { Authorization: `Bearer ${token}` });
    expect(r.status).toBe(403);
    expect(r.json<{ message: string }>().message).toContain('User "system:serviceaccount:default:robot"');
    const bad = await direct(`${G}/namespaces/default/works`, {}, { Authorization: "Bearer not-a-token" });
    expect(bad.status).toBe(401);
    expect(bad.json<{ reason: string }>().reason).toBe("Unauthorized");
  });

  it("a new requestheader CA in the ConfigMap is trusted without a restart", async () => {
    const dir = cs.runDir.sub("rotated-ca");
    const ca = await createCa(dir, "rotated-front-proxy-ca", "rotated-front-proxy-ca");
    const client = await issueCert(ca, dir, "rotated-client", { cn: "front-proxy-client", usage: "client" });
    const creds = { cert: client.certPem, key: client.keyPem };
    const ask = () => direct(`${G}/namespaces/default/clusterprofiles`, creds, { "X-Remote-User": "admin", "X-Remote-Group": "system:masters" });
    expect((await ask()).status).not.toBe(200);
    const pid = cs.server.pid;
    const cm = JSON.parse((await cs.hub.kubectl(["get", "configmap", "extension-apiserver-authentication", "-n", "kube-system", "-o", "json"], { check: true })).stdout) as { data: Record<string, string> };
    const bundle = `${cm.data["requestheader-client-ca-file"]!.trim()}\n${ca.certPem.trim()}\n`;
    await cs.hub.kubectl(["patch", "configmap", "extension-apiserver-authentication", "-n", "kube-system", "--type=merge", "-p", JSON.stringify({ data: { "requestheader-client-ca-file": bundle } })], { check: true });
    await until(async () => (await ask()).status === 200, "the rotated CA is trusted", 30_000);
    expect(cs.server.pid).toBe(pid);
  });
});

describe("health", () => {
  it("/readyz fails naming a hub CRD that claims our group-version, and recovers when it is gone", async () => {
    const crd = path.join(process.cwd(), "resources", "crds", "multicluster.x-k8s.io_placementdecisions.yaml");
    await cs.hub.kubectl(["apply", "--validate=false", "-f", crd], { check: true });
    try {
      await until(async () => (await direct("/readyz?verbose", {})).status === 500, "readyz fails", 30_000);
      const r = await direct("/readyz?verbose", {});
      expect(r.body).toContain("placementdecisions.multicluster.x-k8s.io");
      expect(r.body).toMatch(/\[-\]no-conflicting-crds failed/);
    } finally {
      await cs.hub.kubectl(["delete", "-f", crd, "--wait=true"], { check: true });
    }
    await until(async () => (await direct("/readyz", {})).status === 200, "readyz recovers", 30_000);
    expect((await direct("/readyz", {})).body).toBe("ok");
  });

  it("/healthz, /livez and /metrics answer", async () => {
    expect((await direct("/healthz", {})).body).toBe("ok");
    const v = await direct("/livez?verbose", {});
    expect(v.body).toContain("[+]ping ok");
    const m = await direct("/metrics", cs.frontProxyClient, { "X-Remote-User": "admin", "X-Remote-Group": "system:masters" });
    expect(m.status).toBe(200);
    expect(m.body).toContain("apiserver_request_total");
  });
});
