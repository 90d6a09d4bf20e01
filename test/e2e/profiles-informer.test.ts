/**
 * A real client's informer on ClusterProfiles through the hub misses nothing across member churn (joins,
 * leaves, property changes) and a restart of our server: its cache ends equal to the server's list, and it saw
 * every departure.
 */
import * as k8s from "@kubernetes/client-node";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInformer, type ResilientInformer } from "../../kube/informer.js";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { joinMember, unjoinMember } from "../harness/join.js";
import { waitFor } from "../harness/processes.js";

let cs: ClusterSet;
let api: k8s.CustomObjectsApi;
let informer: ResilientInformer<k8s.KubernetesObject> | undefined;
const deleted: string[] = [];
const G = { group: "multicluster.x-k8s.io", version: "v1alpha1", plural: "clusterprofiles" };

beforeAll(async () => {
  cs = await startClusterSet({ members: 2, label: "profiles-informer" });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cs.adminKubeconfig);
  api = kc.makeApiClient(k8s.CustomObjectsApi);
  informer = startInformer<k8s.KubernetesObject>(
    kc,
    "/apis/multicluster.x-k8s.io/v1alpha1/clusterprofiles",
    () => api.listClusterCustomObject(G) as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>,
    pino({ level: "silent" }),
    (type, o) => {
      if (type === "delete") deleted.push(`${o.metadata!.namespace}/${o.metadata!.name}`);
    },
  );
  await informer.synced;
});
afterAll(async () => {
  await informer?.stop();
  await cs?.stop();
});

const serverState = async () => {
  const list = (await api.listClusterCustomObject(G)) as { items: k8s.KubernetesObject[] };
  return Object.fromEntries(list.items.map((o) => [`${o.metadata!.namespace}/${o.metadata!.name}`, o.metadata!.resourceVersion!]).sort());
};
const cacheState = () => Object.fromEntries(informer!.list().map((o) => [`${o.metadata!.namespace}/${o.metadata!.name}`, o.metadata!.resourceVersion!]).sort());
const profilesIn = async (n: number) => waitFor(async () => (Object.keys(await serverState()).length === n ? true : undefined), { what: `${n} profiles`, timeoutMs: 30_000 });

describe("an informer on ClusterProfiles through the hub", () => {
  it("misses no event across member churn and a server restart", async () => {
    const [m1, m2] = cs.members as [typeof cs.members[0], typeof cs.members[0]];
    await joinMember(cs.hub, m1!, { namespace: "ns1" });
    await joinMember(cs.hub, m2!, { namespace: "ns2" });
    await joinMember(cs.hub, m1!, { namespace: "ns3", secretName: "again", clusterName: "member1-bis" });
    await profilesIn(3);
    await unjoinMember(cs.hub, { namespace: "ns2", secretName: "member2" });
    await profilesIn(2);
    await cs.server.restart();
    await joinMember(cs.hub, m2!, { namespace: "ns4" });
    await unjoinMember(cs.hub, { namespace: "ns1", secretName: "member1" });
    await waitFor(async () => {
      const s = await serverState();
      return Object.keys(s).join(",") === "ns3/member1-bis,ns4/member2" ? true : undefined;
    }, { what: "final membership", timeoutMs: 30_000 });
    await waitFor(async () => (JSON.stringify(cacheState()) === JSON.stringify(await serverState()) ? true : undefined), { what: "informer cache equals the server's list", timeoutMs: 60_000 });
    expect(cacheState()).toEqual(await serverState());
    expect(deleted).toContain("ns2/member2");
    expect(deleted).toContain("ns1/member1");
  });
});
