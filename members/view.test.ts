import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMemberSim, type MemberSim } from "../test/sim/member-sim.js";
import type { MemberSource } from "./secrets.js";
import { Sensitive } from "./sensitive.js";
import { MemberViewer, type MemberView } from "./view.js";
import { until } from "../testing/until.js";

const log = pino({ level: "silent" });
const fast = { healthIntervalMs: 100, probeTimeoutMs: 400, discoveryIntervalMs: 150, discoveryRecheckMs: 150, notifyDelayMs: 20 };

let sim: MemberSim;
const viewers: MemberViewer[] = [];
beforeAll(async () => {
  sim = await startMemberSim();
});
afterAll(() => sim.close());
afterEach(async () => {
  await Promise.all(viewers.splice(0).map((v) => v.stop()));
});

function source(name: string, kubeconfig: string | undefined = sim.kubeconfig(name), over: Partial<MemberSource> = {}): MemberSource {
  return {
    namespace: "fleet",
    profile: name,
    secretName: name,
    kind: "clusterset",
    key: "kubeconfig",
    created: 0,
    uid: `uid-${name}`,
    resourceVersion: "1",
    ignored: [],
    ...(kubeconfig !== undefined ? { kubeconfig: new Sensitive(Buffer.from(kubeconfig)) } : {}),
    ...over,
  };
}

function view(src: MemberSource): MemberViewer {
  const v = new MemberViewer(src, log, fast);
  viewers.push(v);
  v.start();
  return v;
}

const viewUntil = (v: MemberViewer, ok: (s: MemberView) => boolean, ms = 3000): Promise<MemberView> =>
  until(() => {
    const s = v.snapshot();
    return ok(s) && s;
  }, "the view", ms);

describe("MemberViewer against the member simulator", () => {
  it("sees version, health, Node totals and ClusterProperties", async () => {
    sim.addMember("a", { nodes: { n1: { cpu: "4", memory: "8Gi", cpuAllocatable: "3500m", memoryAllocatable: "7Gi" }, n2: { cpu: "4", memory: "8Gi" } }, properties: { "cluster.clusterset.k8s.io": "a-id", region: "eu" } });
    const v = view(source("a", undefined, { ignored: ["a-old"] }));
    expect(v.snapshot().health).toMatchObject({ status: "Unknown", reason: "Connecting", pending: true });
    const s = await viewUntil(v, (s) => s.health.status === "True" && s.nodes.synced && s.propertiesSynced && s.properties.length === 2 && !!s.version);
    expect(s).toMatchObject({
      name: "a",
      namespace: "fleet",
      secretRef: { namespace: "fleet", name: "a", key: "kubeconfig", kind: "clusterset" },
      server: `${sim.url}/m/a`,
      insecureSkipTLSVerify: true,
      context: "a",
      version: "v1.30.2-sim",
      health: { status: "True", reason: "Healthy" },
      joined: { status: "True", reason: "Joined" },
      nodes: { count: 2, cpuCapacity: "8", memoryCapacity: "16Gi", cpuAllocatable: "7500m", memoryAllocatable: "15Gi", synced: true },
    });
    expect(s.joined.message).toMatch(/Secret fleet\/a-old also names this profile and is ignored/);
    expect(s.properties.map((p) => [p.name, p.value])).toEqual([["cluster.clusterset.k8s.io", "a-id"], ["region", "eu"]]);
    expect(JSON.stringify(s)).not.toContain(sim.member("a").token);
  });

  it("announces property and Node changes well within a second; heartbeats are no change", async () => {
    const m = sim.addMember("b", { nodes: { n1: { cpu: "2", memory: "4Gi" } }, properties: { zone: "z1" } });
    const v = view(source("b"));
    let s = await viewUntil(v, (s) => s.nodes.synced && s.properties.length === 1);
    const firstSeen = s.properties[0]!.firstSeen;
    let notified = 0;
    v.onChange(() => notified++);

    const t0 = Date.now();
    m.setProperty("zone", "z2");
    s = await viewUntil(v, (s) => s.properties[0]?.value === "z2", 1000);
    m.addNode("n2", { cpu: "2", memory: "4Gi" });
    s = await viewUntil(v, (s) => s.nodes.count === 2, 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(s.nodes.cpuCapacity).toBe("4");
    expect(s.properties[0]!.firstSeen >= firstSeen).toBe(true);
    await new Promise((r) => setTimeout(r, 60));
    expect(notified).toBeGreaterThan(0);

    const before = notified;
    const snap = v.snapshot();
    m.touchNode("n1");
    m.setProperty("zone", "z2"); // same value again
    await new Promise((r) => setTimeout(r, 150));
    expect(v.snapshot()).toBe(snap); // nothing we publish changed: same snapshot object, no signal
    expect(notified).toBe(before);

    m.deleteNode("n1");
    m.deleteProperty("zone");
    s = await viewUntil(v, (s) => s.nodes.count === 1 && s.properties.length === 0, 1000);
  });

  it("health follows /readyz: NotReady, Unauthorized, Unreachable, and back; Joined stays True once reached", async () => {
    const m = sim.addMember("c");
    const v = view(source("c"));
    const healthy = await viewUntil(v, (s) => s.health.reason === "Healthy");
    m.setHealth("notready");
    let s = await viewUntil(v, (s) => s.health.reason === "NotReady");
    expect(s.health).toMatchObject({ status: "False", message: "/readyz answered 500: etcd failed: reason withheld" });
    m.setHealth("unauthorized");
    s = await viewUntil(v, (s) => s.health.reason === "Unauthorized");
    expect(s.joined).toMatchObject({ status: "False", reason: "Unauthorized" });
    m.setHealth("ready");
    await viewUntil(v, (s) => s.health.reason === "Healthy" && s.joined.status === "True");
    m.setHealth("unreachable");
    s = await viewUntil(v, (s) => s.health.reason === "Unreachable");
    expect(s.health.message).toMatch(/cannot reach the member's API server: connection reset/);
    expect(s.joined.status).toBe("True");
    m.setHealth("hang");
    s = await viewUntil(v, (s) => s.health.message.includes("timed out"), 2000);
    m.setHealth("ready");
    s = await viewUntil(v, (s) => s.health.reason === "Healthy");
    expect(s.health.since >= healthy.health.since).toBe(true);
    m.addNode("late", { cpu: "1", memory: "1Gi" });
    await viewUntil(v, (s) => s.nodes.count === 1, 3000); // watches resume after the outage
  });

  it("an unreachable member from the start is not Joined; a CRD installed later is noticed; removal clears", async () => {
    const m = sim.addMember("d", { aboutVersions: null });
    m.setHealth("unreachable");
    const v = view(source("d"));
    let s = await viewUntil(v, (s) => !s.health.pending);
    expect(s.joined).toMatchObject({ status: "False", reason: "Unreachable" });
    expect(s.propertiesSynced).toBe(false);
    m.setHealth("ready");
    s = await viewUntil(v, (s) => s.propertiesSynced && s.joined.status === "True");
    expect(s.properties).toEqual([]);
    m.installAbout(["v1alpha1"]);
    m.setProperty("region", "us");
    s = await viewUntil(v, (s) => s.properties.length === 1, 2000);
    m.uninstallAbout();
    s = await viewUntil(v, (s) => s.properties.length === 0, 2000);
    expect(s.propertiesSynced).toBe(true);
  });

  it("leaves out values over 1024 characters", async () => {
    sim.addMember("e", { properties: { big: "x".repeat(1025), ok: "x".repeat(1024) } });
    const v = view(source("e"));
    const s = await viewUntil(v, (s) => s.propertiesSynced && s.properties.length > 0);
    expect(s.properties.map((p) => p.name)).toEqual(["ok"]);
  });

  it("an unusable kubeconfig shows as not joined, without contacting anything or leaking it", async () => {
    const bad = sim.kubeconfig("a").replace("token:", "tokenFile: /etc/passwd\n    token:");
    const v = view(source("f", bad));
    const s = v.snapshot();
    expect(s.joined).toMatchObject({ status: "False", reason: "InvalidKubeconfig" });
    expect(s.joined.message).toMatch(/^Secret fleet\/f key kubeconfig: user "a-admin" refers to a file \(tokenFile\)/);
    expect(s.health).toMatchObject({ status: "Unknown", reason: "InvalidKubeconfig" });
    expect(s.health.pending).toBeUndefined();
    expect(JSON.stringify(s)).not.toContain(sim.member("a").token);
    expect(view(source("g", "unused", { kubeconfig: undefined })).snapshot().joined.message).toMatch(/Secret fleet\/g has no data.kubeconfig/);
  });

  it("a hanging member does not slow another", async () => {
    sim.addMember("slow").setHealth("hang");
    const quick = sim.addMember("quick", { properties: { p: "1" } });
    view(source("slow"));
    const v = view(source("quick"));
    await viewUntil(v, (s) => s.properties.length === 1);
    const t0 = Date.now();
    quick.setProperty("p", "2");
    await viewUntil(v, (s) => s.properties[0]?.value === "2", 1000);
    expect(Date.now() - t0).toBeLessThan(500);
  });
});
