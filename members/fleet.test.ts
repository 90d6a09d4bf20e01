import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMemberSim, type MemberSim } from "../test/sim/member-sim.js";
import { createFleet, type ManualFleet } from "./fleet.js";
import type { MemberSource } from "./secrets.js";
import { Sensitive } from "./sensitive.js";
import { until } from "../testing/until.js";

const log = pino({ level: "silent" });
let sim: MemberSim;
let fleet: ManualFleet;
beforeAll(async () => {
  sim = await startMemberSim();
});
afterAll(() => sim.close());
afterEach(() => fleet?.stop());

function src(profile: string, simName = profile, over: Partial<MemberSource> = {}): MemberSource {
  return {
    namespace: "fleet",
    profile,
    secretName: profile,
    kind: "clusterset",
    key: "kubeconfig",
    created: 0,
    uid: `uid-${profile}`,
    resourceVersion: "1",
    ignored: [],
    kubeconfig: new Sensitive(Buffer.from(sim.kubeconfig(simName))),
    ...over,
  };
}

describe("fleet", () => {
  it("keeps one view per member; display-name changes keep the connection, kubeconfig changes replace it; delete removes", async () => {
    sim.addMember("x1", { properties: { who: "x1" } });
    sim.addMember("x2", { properties: { who: "x2" } });
    fleet = createFleet({ log, view: { healthIntervalMs: 100, notifyDelayMs: 10 } });
    const heard: string[] = [];
    fleet.subscribe((k) => heard.push(k));

    fleet.apply({ type: "upsert", key: "fleet/x", source: src("x", "x1") });
    expect(heard).toEqual(["fleet/x"]); // appearing is news at once
    await until(() => fleet.get("fleet/x")?.properties[0]?.value === "x1");
    expect(fleet.keys()).toEqual(["fleet/x"]);

    const before = fleet.get("fleet/x")!;
    fleet.apply({ type: "upsert", key: "fleet/x", source: src("x", "x1", { displayName: "X" }) });
    await until(() => fleet.get("fleet/x")?.displayName === "X");
    expect(fleet.get("fleet/x")!.health.since).toBe(before.health.since); // same viewer

    fleet.apply({ type: "upsert", key: "fleet/x", source: src("x", "x2") });
    await until(() => fleet.get("fleet/x")?.properties[0]?.value === "x2");

    heard.length = 0;
    fleet.apply({ type: "delete", key: "fleet/x", source: src("x", "x2") });
    expect(heard).toEqual(["fleet/x"]);
    expect(fleet.get("fleet/x")).toBeUndefined();
    expect(fleet.keys()).toEqual([]);
  });

  it("watches a few hundred members in one process and hears one member's change quickly", async () => {
    const n = 200;
    for (let i = 0; i < n; i++) sim.addMember(`s${i}`, { nodes: { n1: { cpu: "2", memory: "4Gi" } }, properties: { id: `s${i}` } });
    fleet = createFleet({ log, view: { healthIntervalMs: 1000, notifyDelayMs: 20 } });
    for (let i = 0; i < n; i++) fleet.apply({ type: "upsert", key: `fleet/s${i}`, source: src(`s${i}`) });
    await until(() => fleet.keys().every((k) => { const v = fleet.get(k)!; return v.health.status === "True" && v.nodes.synced && v.propertiesSynced && v.properties.length === 1; }), "fleet", 20_000);

    // Synced means listed; each view's Node and ClusterProperty watches open just after (under load, a moment after).
    await until(() => (sim.stats().watch ?? 0) >= 2 * n, "fleet", 10_000);

    let heardAt = 0;
    fleet.subscribe((k) => {
      if (k === "fleet/s123" && fleet.get(k)?.properties[0]?.value === "changed") heardAt ||= Date.now();
    });
    const t0 = Date.now();
    sim.member("s123").setProperty("id", "changed");
    await until(() => heardAt > 0, "fleet", 1000);
    expect(heardAt - t0).toBeLessThan(1000);
    expect(sim.stats().watch ?? 0).toBeGreaterThanOrEqual(2 * n);
  });
});
