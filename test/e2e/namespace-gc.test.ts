/**
 * The hub's own controllers use our API as they use any other: the namespace controller lists and deletes our
 * objects (metadata-only lists and deletecollection) when a namespace goes, and the garbage collector follows
 * owner references to them without errors about our group.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { until } from "../harness/processes.js";

let cs: ClusterSet;
beforeAll(async () => {
  cs = await startClusterSet({ members: 0, label: "namespace-gc" });
});
afterAll(async () => {
  await cs?.stop();
});


/** kubectl get says NotFound: gone for the right reason (a 503 or a timeout is not "gone"). */
const notFound = async (args: string[]) => {
  const r = await cs.hub.kubectl(args);
  return r.code !== 0 && /Error from server \(NotFound\)/.test(r.stderr);
};

const decision = (name: string, extraMeta: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name, ...extraMeta }, decisions: [] });

describe("hub controllers on our API", () => {
  it("deleting a namespace removes our objects in it and completes", async () => {
    await cs.hub.kubectl(["create", "namespace", "doomed"], { check: true });
    for (const n of ["a", "b", "c"]) await cs.hub.kubectl(["create", "-n", "doomed", "-f", "-"], { input: decision(n), check: true });
    await cs.hub.kubectl(["create", "-n", "doomed", "-f", "-"], {
      input: JSON.stringify({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ClusterProfile", metadata: { name: "p1" }, spec: { clusterManager: { name: "other-manager" }, displayName: "p1" } }),
      check: true,
    });
    await cs.hub.kubectl(["delete", "namespace", "doomed", "--wait=false"], { check: true });
    await until(() => notFound(["get", "namespace", "doomed"]), "namespace doomed is gone (NotFound)", 90_000);
    const list = await cs.hub.kubectl(["get", "placementdecisions,clusterprofiles", "-n", "doomed", "-o", "name"]);
    expect(list.stdout.trim()).toBe("");
  });

  it("the garbage collector deletes our objects whose owner is gone", async () => {
    await cs.hub.kubectl(["create", "namespace", "gc"], { check: true });
    await cs.hub.kubectl(["create", "configmap", "owner", "-n", "gc"], { check: true });
    const uid = (await cs.hub.kubectl(["get", "configmap", "owner", "-n", "gc", "-o", "jsonpath={.metadata.uid}"], { check: true })).stdout;
    await cs.hub.kubectl(["create", "-n", "gc", "-f", "-"], {
      input: decision("owned", { ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid }] }),
      check: true,
    });
    await cs.hub.kubectl(["delete", "configmap", "owner", "-n", "gc"], { check: true });
    await until(() => notFound(["get", "placementdecision", "owned", "-n", "gc"]), "owned placementdecision collected (NotFound)");
  });

  it("the hub's controller-manager logs no errors about our group", () => {
    const log = readFileSync(cs.hub.processes.controllerManager!.logPath, "utf8");
    const ours = log.split("\n").filter((l) => l.includes("multicluster.x-k8s.io") && /^E\d{4}/.test(l));
    expect(ours).toEqual([]);
  });
});
