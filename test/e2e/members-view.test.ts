/**
 * The federated view against a real kube-apiserver (the release test/go/kube pins). One cluster plays hub and member at once (its own
 * join Secrets point at itself), which is enough for members/: the hub side is only Secrets. Checks the view
 * sees version, Nodes and ClusterProperties (CRD installed after the member joined), hears changes quickly, and
 * turns health False when the member's apiserver stops. Contract bounds: 1 s for properties and Nodes, 10 s
 * for health, with tolerance for a noisy 2-core machine.
 */
import * as k8s from "@kubernetes/client-node";
import { pino } from "pino";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { startFleet, type HubFleet } from "../../members/fleet.js";
import type { MemberView } from "../../members/member-view.js";
import { watchNamespaceLabels } from "../../members/namespaces.js";
import { computeProfile } from "../../api/clusterprofiles/compute.js";
import { validate } from "../../resources/validation.js";
import { joinSecretManifest, kubeVersion, memberKubeconfig, repoRoot, useCluster } from "../harness/index.js";

const log = pino({ level: process.env.LOG_LEVEL ?? "silent" });
const GiB = (n: number) => `${n * 1024 * 1024}Ki`;

describe("member view on a real member", () => {
  const cluster = useCluster({ name: "member1", controllerManager: false });
  let fleet: HubFleet | undefined;
  afterAll(() => fleet?.stop());

  const post = async (path: string, body: object, method = "POST", type = "application/json") => {
    const res = await cluster().request(path, { method, body: JSON.stringify(body), headers: { "content-type": type } });
    expect(res.status, `${method} ${path}: ${res.body}`).toBeLessThan(300);
  };
  const node = (name: string, cpu: string, memory: string) => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    status: { capacity: { cpu, memory, pods: "110" }, allocatable: { cpu, memory, pods: "110" } },
  });
  const view = () => fleet!.get("fleet/member1");
  async function until(what: string, ok: (v: MemberView) => boolean, ms: number): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const v = view();
      if (v && ok(v)) return Date.now() - t0;
      if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms; view: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it("joins from hub Secrets of both kinds and sees version, health and Nodes", async () => {
    const c = cluster();
    await post("/api/v1/nodes", node("n1", "4", GiB(8)));
    const capi = {
      apiVersion: "v1",
      kind: "Secret",
      type: "cluster.x-k8s.io/secret",
      metadata: { name: "capi1-kubeconfig", namespace: "fleet", labels: { "cluster.x-k8s.io/cluster-name": "capi1" } },
      data: { value: Buffer.from(memberKubeconfig(c)).toString("base64") },
    };
    const decoy = { ...capi, metadata: { ...capi.metadata, name: "capi1-ca" } };
    const docs = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "fleet" } }, joinSecretManifest(c, { namespace: "fleet", displayName: "Member One" }), capi, decoy];
    await c.kubectl(["apply", "-f", "-"], { input: docs.map((d) => stringify(d)).join("---\n"), check: true });

    const hub = new k8s.KubeConfig();
    hub.loadFromFile(c.kubeconfigPath);
    fleet = startFleet(hub, { namespaces: ["fleet"], log, view: { discoveryIntervalMs: 1000 } });
    await fleet.synced;
    expect(fleet.keys().sort()).toEqual(["fleet/capi1", "fleet/member1"]);
    await until("healthy with Nodes", (v) => v.health.status === "True" && v.nodes.synced && v.propertiesSynced && !!v.version, 15_000);
    expect(view()).toMatchObject({
      displayName: "Member One",
      server: c.url,
      version: kubeVersion,
      joined: { status: "True", reason: "Joined" },
      nodes: { count: 1, cpuCapacity: "4", memoryCapacity: "8Gi" },
      properties: [],
    });
    expect(fleet.get("fleet/capi1")?.secretRef).toEqual({ namespace: "fleet", name: "capi1-kubeconfig", key: "value", kind: "cluster-api" });

    // Without --namespaces: the same members, from hub-wide watches; a namespace not listed sees none.
    const all = startFleet(hub, { namespaces: [], log });
    const none = startFleet(hub, { namespaces: ["elsewhere"], log });
    await Promise.all([all.synced, none.synced]);
    expect(all.keys().sort()).toEqual(["fleet/capi1", "fleet/member1"]);
    expect(none.keys()).toEqual([]);
    await Promise.all([all.stop(), none.stop()]);

    // The clusterset label a profile copies from its namespace.
    const nsLabels = watchNamespaceLabels(hub, log);
    await nsLabels.synced;
    const heard: string[] = [];
    nsLabels.subscribe((ns) => heard.push(ns));
    await c.kubectl(["label", "namespace", "fleet", "multicluster.x-k8s.io/clusterset=prod"], { check: true });
    const t0 = Date.now();
    while (nsLabels.labels("fleet")["multicluster.x-k8s.io/clusterset"] !== "prod") {
      expect(Date.now() - t0, "namespace label seen").toBeLessThan(5_000);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(heard).toContain("fleet");
    await nsLabels.stop();
  });

  it("notices the ClusterProperty CRD installed later, and hears property and Node changes quickly", async () => {
    const c = cluster();
    await c.kubectl(["apply", "-f", `${repoRoot}/resources/crds/about.k8s.io_clusterproperties.yaml`], { check: true });
    await c.kubectl(["wait", "--for=condition=Established", "crd/clusterproperties.about.k8s.io", "--timeout=60s"], { check: true });
    await post("/apis/about.k8s.io/v1beta1/clusterproperties", { apiVersion: "about.k8s.io/v1beta1", kind: "ClusterProperty", metadata: { name: "cluster.clusterset.k8s.io" }, spec: { value: "member1" } });
    await until("property seen", (v) => v.properties.some((p) => p.value === "member1"), 10_000);

    await post("/apis/about.k8s.io/v1beta1/clusterproperties/cluster.clusterset.k8s.io", { spec: { value: "member-one" } }, "PATCH", "application/merge-patch+json");
    const propMs = await until("property change", (v) => v.properties.some((p) => p.value === "member-one"), 3_000);
    await post("/api/v1/nodes", node("n2", "1500m", GiB(8)));
    const nodeMs = await until("node added", (v) => v.nodes.count === 2, 3_000);
    expect(view()!.nodes).toMatchObject({ cpuCapacity: "5500m", memoryCapacity: "16Gi" });
    expect(Math.max(propMs, nodeMs), "changes reach the view within 1 s (+ tolerance)").toBeLessThan(2_000);

    const profile = computeProfile(view()!, undefined, new Date());
    const checked = validate("ClusterProfile", profile, { fieldValidation: "Strict" });
    expect(checked.causes).toEqual([]);
    expect(JSON.stringify(profile)).not.toContain(c.pki.admin.keyPem.split("\n")[1]!);
  });

  it("turns health False when the member's apiserver stops", async () => {
    const c = cluster();
    // SIGTERM: kube-apiserver first fails /readyz while it drains, then goes away; either is False.
    const stopping = c.processes.apiserver.stop(3_000); // open watches keep kube-apiserver draining: no need to wait 10 s
    const ms = await until("health False", (v) => v.health.status === "False", 15_000);
    log.info({ ms, reason: view()!.health.reason }, "health False after SIGTERM");
    expect(ms, "health within 10 s (+ tolerance)").toBeLessThan(12_000);
    await stopping;
    await until("unreachable", (v) => v.health.reason === "Unreachable", 15_000);
    const v = view()!;
    expect(v.health.message).toMatch(/cannot reach the member's API server: connection refused/);
    expect(v.joined.status).toBe("True"); // it was reached
  });
});
