/**
 * Two replicas on one etcd: a write through one reaches watchers of the other; both serve the same joined
 * profiles; only the leader writes them, and killing it hands the writing over within lease duration plus a
 * retry period (15 s + 2 s).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { joinMember } from "../harness/join.js";
import type { OurServer } from "../harness/our-server.js";
import { waitFor } from "../harness/processes.js";
import { Direct } from "./support/direct.js";

const G = "/apis/multicluster.x-k8s.io/v1alpha1";
let cs: ClusterSet;
let replica: OurServer;
const clients = new Map<string, Direct>();
const client = (s: OurServer) => {
  if (!clients.has(s.url)) clients.set(s.url, new Direct(cs, s.url));
  return clients.get(s.url)!;
};

beforeAll(async () => {
  cs = await startClusterSet({ members: 1, label: "replicas", server: { storage: "etcd" } });
  replica = await cs.startReplica();
  await cs.members[0]!.kubectl(["apply", "-f", "resources/crds/about.k8s.io_clusterproperties.yaml"], { check: true });
  await cs.members[0]!.kubectl(["wait", "--for=condition=Established", "crd/clusterproperties.about.k8s.io", "--timeout=60s"], { check: true });
  await cs.members[0]!.kubectl(["create", "-f", "-"], { input: JSON.stringify({ apiVersion: "about.k8s.io/v1alpha1", kind: "ClusterProperty", metadata: { name: "zone" }, spec: { value: "z1" } }), check: true });
  await joinMember(cs.hub, cs.members[0]!, { namespace: "fleet" });
});
afterAll(async () => {
  for (const c of clients.values()) c.close();
  await cs?.stop();
});

const zoneOn = async (s: OurServer) => {
  const r = await client(s).request("GET", `${G}/namespaces/fleet/clusterprofiles/member1`);
  if (r.status !== 200) return undefined;
  return (JSON.parse(r.body) as { status?: { properties?: { name: string; value: string }[] } }).status?.properties?.find((p) => p.name === "zone")?.value;
};
const isLeader = async (s: OurServer) => /^clusterset_leader 1$/m.test((await client(s).request("GET", "/metrics")).body);

describe("two replicas on etcd", () => {
  it("a write through one replica reaches a watcher of the other", async () => {
    const session = (client(replica) as unknown as { session: import("node:http2").ClientHttp2Session }).session;
    const stream = session.request({ ":method": "GET", ":path": `${G}/namespaces/default/placementdecisions?watch=1`, "x-remote-user": "admin", "x-remote-group": "system:masters" });
    let seen = "";
    stream.on("data", (c: Buffer) => (seen += c.toString()));
    await new Promise((r) => stream.once("response", r));
    const created = await client(cs.server).request("POST", `${G}/namespaces/default/placementdecisions`, { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name: "via-a" }, decisions: [] });
    expect(created.status).toBe(201);
    await waitFor(async () => (seen.includes('"name":"via-a"') ? true : undefined), { what: "replica B sees the write through A", timeoutMs: 10_000 });
    stream.close();
  });

  it("both serve the same joined profile", async () => {
    await waitFor(async () => ((await zoneOn(cs.server)) === "z1" && (await zoneOn(replica)) === "z1" ? true : undefined), { what: "profile on both replicas", timeoutMs: 30_000 });
    const a = await client(cs.server).request("GET", `${G}/namespaces/fleet/clusterprofiles/member1`);
    const b = await client(replica).request("GET", `${G}/namespaces/fleet/clusterprofiles/member1`);
    expect(JSON.parse(a.body)).toEqual(JSON.parse(b.body));
  });

  it("exactly one replica leads, and killing it hands the writing over", async () => {
    await waitFor(async () => ((await isLeader(cs.server)) !== (await isLeader(replica)) ? true : undefined), { what: "one leader", timeoutMs: 30_000 });
    const [leader, follower] = (await isLeader(cs.server)) ? [cs.server, replica] : [replica, cs.server];
    await leader.kill9();
    clients.delete(leader.url);
    const killedAt = Date.now();
    await cs.members[0]!.kubectl(["patch", "clusterproperty", "zone", "--type=merge", "-p", '{"spec":{"value":"z2"}}'], { check: true });
    await waitFor(async () => ((await zoneOn(follower)) === "z2" ? true : undefined), { what: "the follower takes over writing", timeoutMs: 40_000 });
    const tookMs = Date.now() - killedAt;
    expect(await isLeader(follower)).toBe(true);
    // Lease duration 15 s + retry period 2 s, plus the member-view debounce and a loaded machine's slack.
    expect(tookMs).toBeLessThan(15_000 + 2_000 + 5_000);
  });
});
