/**
 * Events on the hub (issue 18 item 2): what happened to a member and to a Work, as `kubectl describe` shows it.
 * events.k8s.io/v1 Events from reporting controller clusterset-apiserver, with the server's RBAC from deploy/base.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { joinMember } from "../harness/join.js";
import { until } from "../harness/processes.js";

const NS = "events";
let cs: ClusterSet;

beforeAll(async () => {
  cs = await startClusterSet({ members: 1, label: "events" });
  await joinMember(cs.hub, cs.members[0]!, { namespace: NS });
});
afterAll(async () => {
  await cs?.stop();
});

/** `kubectl describe`'s Events section, once it has a line matching `want`. */
async function eventsOf(kind: string, name: string, want: RegExp): Promise<string> {
  let last = "";
  return until(async () => {
    const r = await cs.hub.kubectl(["describe", kind, name, "-n", NS]);
    last = r.stdout.slice(r.stdout.indexOf("Events:")) + r.stderr;
    return want.test(last) ? last : undefined;
  }, `describe ${kind} ${name} shows ${want}`).catch((e: Error) => {
    throw new Error(`${e.message}\nlast seen:\n${last}`);
  });
}

interface HubEvent { reportingController: string; regarding: { kind: string; name: string; uid: string }; reason: string; type: string; note: string; series?: { count: number } }
async function hubEvents(): Promise<HubEvent[]> {
  const r = await cs.hub.kubectl(["get", "events.v1.events.k8s.io", "-n", NS, "-o", "json"], { check: true });
  return (JSON.parse(r.stdout) as { items: HubEvent[] }).items;
}

const work = (name: string, manifests: object[]) =>
  JSON.stringify({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "Work", metadata: { name, namespace: NS, labels: { "clusterset.dev/cluster": "member1" } }, spec: { workload: { manifests } } });

describe("Events", () => {
  it("a member joined, became unreachable and came back, on its ClusterProfile", async () => {
    const joined = await eventsOf("clusterprofile", "member1", /Normal\s+MemberJoined\s+.*clusterset-apiserver\s+joined through Secret events\/member1/);
    expect(joined).toContain(cs.members[0]!.url);
    const m = cs.members[0]!;
    const stopping = m.stopApiserver();
    const down = await eventsOf("clusterprofile", "member1", /Warning\s+Unreachable\s+/);
    expect(down).toMatch(/cannot reach the member's API server/);
    await stopping;
    await m.startApiserver();
    await eventsOf("clusterprofile", "member1", /Normal\s+Healthy\s+.*the member answers again.*unhealthy since/);
    const uid = (await cs.hub.kubectl(["get", "clusterprofile", "member1", "-n", NS, "-o", "jsonpath={.metadata.uid}"], { check: true })).stdout;
    const ours = (await hubEvents()).filter((e) => e.regarding.kind === "ClusterProfile");
    expect(ours.length).toBeGreaterThanOrEqual(3);
    for (const e of ours) expect(e).toMatchObject({ reportingController: "clusterset-apiserver", regarding: { name: "member1", uid } });
  });

  it("a Work applied, a manifest refused with the member's words, drift reverted, cleanup done", async () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app-settings", namespace: "default" }, data: { color: "blue" } };
    await cs.hub.kubectl(["apply", "-f", "-"], { input: work("good", [cm]), check: true });
    await eventsOf("work", "good", /Normal\s+Applied\s+.*all 1 manifest\(s\) applied to member1/);
    // Someone changes the applied ConfigMap on the member: we put it back, and say so.
    await cs.members[0]!.kubectl(["patch", "configmap", "app-settings", "-n", "default", "--type=merge", "-p", '{"data":{"color":"red"}}'], { check: true });
    await eventsOf("work", "good", /Normal\s+DriftReverted\s+.*ConfigMap default\/app-settings was changed on member1 by someone else; applied again/);
    await until(async () => (await cs.members[0]!.kubectl(["get", "configmap", "app-settings", "-n", "default", "-o", "jsonpath={.data.color}"])).stdout === "blue", "drift reverted");

    await cs.hub.kubectl(["apply", "-f", "-"], { input: work("bad", [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "no-such-namespace" } }]), check: true });
    await eventsOf("work", "bad", /Warning\s+ManifestRefused\s+.*member1 refused .*namespaces "no-such-namespace" not found/);

    await cs.hub.kubectl(["delete", "work", "good", "-n", NS, "--wait=true"], { check: true, timeoutMs: 90_000 });
    const cleaned = (await hubEvents()).find((e) => e.regarding.name === "good" && e.reason === "CleanedUp");
    expect(cleaned?.note).toBe("its objects are gone from member1");
  });
});
