/**
 * A real client's informer (client-node's list+watch with bookmarks, restarted on errors as client-go's
 * reflector is) through the hub stays in sync across a restart of our server: every object created, changed or
 * deleted before, during and after the restart ends up in its cache exactly as the server lists it.
 */
import * as k8s from "@kubernetes/client-node";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInformer, type ResilientInformer } from "../../kube/informer.js";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { waitFor } from "../harness/processes.js";

const NS = "inf";
let cs: ClusterSet;
let api: k8s.CustomObjectsApi;
let informer: ResilientInformer<k8s.KubernetesObject> | undefined;

beforeAll(async () => {
  cs = await startClusterSet({ members: 0, label: "informer" });
  await cs.hub.kubectl(["create", "namespace", NS], { check: true });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cs.adminKubeconfig);
  api = kc.makeApiClient(k8s.CustomObjectsApi);
  informer = startInformer<k8s.KubernetesObject>(
    kc,
    `/apis/multicluster.x-k8s.io/v1alpha1/namespaces/${NS}/placementdecisions`,
    () => api.listNamespacedCustomObject({ group: "multicluster.x-k8s.io", version: "v1alpha1", namespace: NS, plural: "placementdecisions" }) as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>,
    pino({ level: "silent" }),
    () => undefined,
  );
  await informer.synced;
});
afterAll(async () => {
  await informer?.stop();
  await cs?.stop();
});

const create = (name: string) =>
  api.createNamespacedCustomObject({
    group: "multicluster.x-k8s.io",
    version: "v1alpha1",
    namespace: NS,
    plural: "placementdecisions",
    body: { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name }, decisions: [] },
  });
const remove = (name: string) => api.deleteNamespacedCustomObject({ group: "multicluster.x-k8s.io", version: "v1alpha1", namespace: NS, plural: "placementdecisions", name });
const label = (name: string, v: string) =>
  api.patchNamespacedCustomObject(
    { group: "multicluster.x-k8s.io", version: "v1alpha1", namespace: NS, plural: "placementdecisions", name, body: { metadata: { labels: { v } } } },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
  );

/** name → resourceVersion, as the server lists it and as the informer holds it. */
async function serverState(): Promise<Record<string, string>> {
  const list = (await api.listNamespacedCustomObject({ group: "multicluster.x-k8s.io", version: "v1alpha1", namespace: NS, plural: "placementdecisions" })) as { items: k8s.KubernetesObject[] };
  return Object.fromEntries(list.items.map((o) => [o.metadata!.name!, o.metadata!.resourceVersion!]));
}
const cacheState = () => Object.fromEntries(informer!.list().map((o) => [o.metadata!.name!, o.metadata!.resourceVersion!]));

describe("an informer through the hub", () => {
  it("stays in sync across a restart of our server", async () => {
    for (let i = 0; i < 20; i++) await create(`before-${i}`);
    await waitFor(async () => (Object.keys(cacheState()).length === 20 ? true : undefined), { what: "20 objects in the informer", timeoutMs: 20_000 });

    await cs.server.restart();
    for (let i = 0; i < 10; i++) await create(`after-${i}`);
    for (let i = 0; i < 5; i++) await remove(`before-${i}`);
    for (let i = 5; i < 10; i++) await label(`before-${i}`, "changed");

    const want = await serverState();
    expect(Object.keys(want)).toHaveLength(25);
    await waitFor(async () => (equal(cacheState(), await serverState()) ? true : undefined), {
      what: "informer cache equals the server's list",
      timeoutMs: 60_000,
    });
    expect(cacheState()).toEqual(await serverState());
    const changed = informer!.list().filter((o) => o.metadata?.labels?.v === "changed").map((o) => o.metadata!.name);
    expect(changed.sort()).toEqual(["before-5", "before-6", "before-7", "before-8", "before-9"]);
  });
});

const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort());
const equal = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
