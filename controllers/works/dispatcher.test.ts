/**
 * The dispatcher end to end in one process: a real level store (watch included), a fleet of simulated members
 * (test/sim), and an elector the test controls. The e2e suite proves the same on real kube-apiservers.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LeaderElector } from "../../leader/lease.js";
import { createFleet, type ManualFleet } from "../../members/fleet.js";
import { Sensitive } from "../../members/sensitive.js";
import { openStore, type KubeObject, type Store } from "../../storage/index.js";
import { startMemberSim, type MemberSim } from "../../test/sim/member-sim.js";
import { startWorkDispatcher, type WorkDispatcher } from "./dispatcher.js";
import { WORK_FINALIZER } from "../../api/works/manifests.js";
import type { WorkStatus } from "../../api/works/status.js";
import { until } from "../../testing/until.js";

const log = pino({ level: "silent" });
let sim: MemberSim;
let store: Store;
let dir: string;
let fleet: ManualFleet;
let dispatcher: WorkDispatcher;
let leading = true;
let lease = true;
let confirms = 0;
const listeners: ((l: boolean) => void)[] = [];
const elector: LeaderElector = {
  identity: "test",
  isLeader: () => leading,
  onChange: (cb) => void listeners.push(cb),
  confirm: async () => (confirms++, leading && lease),
  stop: async () => undefined,
};
const setLeader = (l: boolean) => {
  leading = l;
  for (const cb of listeners) cb(l);
};

const join = (name: string) =>
  fleet.apply({ type: "upsert", key: `fleet/${name}`, source: { namespace: "fleet", profile: name, secretName: name, kind: "clusterset", key: "kubeconfig", created: 0, uid: `s-${name}`, resourceVersion: "1", ignored: [], kubeconfig: new Sensitive(Buffer.from(sim.kubeconfig(name))) } });

beforeAll(async () => {
  sim = await startMemberSim();
  sim.addMember("east");
});
afterAll(() => sim.close());
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "works-"));
  store = await openStore({ backend: "level", dataDir: dir });
  fleet = createFleet({ log, view: { healthIntervalMs: 200, notifyDelayMs: 10 } });
  join("east");
  leading = true;
  lease = true;
  listeners.length = 0;
  dispatcher = startWorkDispatcher({ store, fleet, elector, log, options: { retryBaseMs: 50, retryMaxMs: 400, cleanupPollMs: 50, requestTimeoutMs: 2000 } });
});
afterEach(async () => {
  await dispatcher.stop();
  await fleet.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const cm = (name: string, data: Record<string, unknown>, namespace = "app") => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data });
const ns = (name: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
const deploy = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "app" }, spec: { replicas: 1, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "x" }] } } } };

async function createWork(name: string, manifests: unknown[], cluster = "east", annotations?: Record<string, string>): Promise<KubeObject> {
  return store.create(`/works/fleet/${name}`, {
    apiVersion: "multicluster.x-k8s.io/v1alpha1",
    kind: "Work",
    metadata: { name, namespace: "fleet", uid: randomUUID(), generation: 1, creationTimestamp: "2025-01-01T00:00:00Z", finalizers: [WORK_FINALIZER], labels: { "clusterset.dev/cluster": cluster }, ...(annotations ? { annotations } : {}) },
    spec: { workload: { manifests } },
  });
}
const setManifests = (name: string, manifests: unknown[]) =>
  store.guaranteedUpdate(`/works/fleet/${name}`, (cur) => ({ ...cur, metadata: { ...cur.metadata, generation: (cur.metadata.generation ?? 1) + 1 }, spec: { workload: { manifests } } }));
const markDeleted = (name: string) => store.guaranteedUpdate(`/works/fleet/${name}`, (cur) => ({ ...cur, metadata: { ...cur.metadata, deletionTimestamp: "2025-01-01T00:01:00Z" } }));
const getWork = (name: string) => store.get(`/works/fleet/${name}`).catch(() => undefined);
const cond = (w: KubeObject | undefined, type: string) => (w?.status as WorkStatus | undefined)?.conditions.find((c) => c.type === type);
const condIs = async (name: string, type: string, status: string, reason?: string) => {
  const w = await getWork(name);
  const c = cond(w, type);
  return c?.status === status && (!reason || c.reason === reason) ? w : undefined;
};
const east = () => sim.member("east").applied;

describe("work dispatcher", () => {
  it("applies Namespace first, then the rest; Available follows the Deployment's status; drift is reverted", async () => {
    await createWork("app", [cm("settings", { a: "1" }), deploy, ns("app")]);
    await until(() => condIs("app", "Applied", "True"), "Applied=True");
    const applied = east().get("v1", "configmaps", "app", "settings")!;
    expect(applied.metadata).toMatchObject({ labels: { "clusterset.dev/work-uid": (await getWork("app"))!.metadata.uid }, annotations: { "clusterset.dev/work": "fleet/app" } });
    expect(cond(await getWork("app"), "Available")).toMatchObject({ status: "False", reason: "NotAvailable" });

    east().edit("apps/v1", "deployments", "app", "web", (o) => ({ ...o, status: { availableReplicas: 1 } }));
    await until(() => condIs("app", "Available", "True"), "Available=True after the member's status changed");

    east().edit("v1", "configmaps", "app", "settings", (o) => ({ ...o, data: { a: "edited" } }));
    await until(() => (east().get("v1", "configmaps", "app", "settings")!.data as { a: string }).a === "1", "drift reverted");
    const w = (await getWork("app"))!;
    expect((w.status as WorkStatus).manifestConditions!.map((m) => [m.identifier.ordinal, m.identifier.kind, m.identifier.resource])).toEqual([
      [0, "ConfigMap", "configmaps"],
      [1, "Deployment", "deployments"],
      [2, "Namespace", "namespaces"],
    ]);
  });

  it("updates changed manifests, prunes removed ones, and removes everything before letting a deleted Work go", async () => {
    await createWork("upd", [ns("upd"), cm("one", { v: "1" }, "upd"), cm("two", { v: "2" }, "upd")]);
    await until(() => condIs("upd", "Applied", "True"), "applied");
    await setManifests("upd", [ns("upd"), cm("one", { v: "changed" }, "upd")]);
    await until(() => !east().get("v1", "configmaps", "upd", "two") && (east().get("v1", "configmaps", "upd", "one")?.data as { v: string }).v === "changed", "pruned and updated");
    // The status follows the member's objects (written after the pass).
    await until(async () => cond(await getWork("upd"), "Applied")?.observedGeneration === 2, "status of generation 2");

    await markDeleted("upd");
    await until(async () => !(await getWork("upd")), "Work gone once its objects are");
    expect(east().get("v1", "namespaces", "", "upd")).toBeUndefined();
    expect(east().get("v1", "configmaps", "upd", "one")).toBeUndefined();
  });

  it("leaves objects in place with delete-option Orphan, and never deletes what another Work owns now", async () => {
    await createWork("orph", [cm("keep", { k: "v" }, "default")], "east", { "clusterset.dev/delete-option": "Orphan" });
    await until(() => condIs("orph", "Applied", "True"), "applied");
    await markDeleted("orph");
    await until(async () => !(await getWork("orph")), "Work gone");
    expect(east().get("v1", "configmaps", "default", "keep")).toBeDefined();

    await createWork("first", [cm("shared", { by: "first" }, "default")]);
    await until(() => condIs("first", "Applied", "True"), "first applied");
    await createWork("second", [cm("shared", { by: "second" }, "default")]);
    await until(() => condIs("second", "Applied", "True"), "second applied");
    await markDeleted("first");
    await until(async () => !(await getWork("first")), "first gone");
    expect(east().get("v1", "configmaps", "default", "shared")?.metadata).toMatchObject({ annotations: { "clusterset.dev/work": "fleet/second" } });
  });

  it("reports refused manifests as Degraded naming them, while the others apply", async () => {
    await createWork("bad", [cm("fine", { a: "1" }, "default"), { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w1", namespace: "default" } }, cm("broken", { a: 1 }, "default")]);
    const w = await until(() => condIs("bad", "Degraded", "True"), "Degraded");
    const msg = cond(w, "Degraded")!.message;
    expect(msg).toContain("manifest 1 (Widget w1)");
    expect(msg).toContain("no resource for kind Widget in example.com/v1");
    expect(msg).toContain("manifest 2 (ConfigMap broken)");
    expect(msg).toContain("Invalid");
    expect(east().get("v1", "configmaps", "default", "fine")).toBeDefined();
    expect(cond(w, "Applied")).toMatchObject({ status: "False", reason: "ManifestRefused" });
  });

  it("says ClusterNotFound until the member joins, then applies", async () => {
    sim.addMember("west");
    await createWork("later", [cm("x", { a: "1" }, "default")], "west");
    await until(() => condIs("later", "Applied", "False", "ClusterNotFound"), "ClusterNotFound");
    join("west");
    await until(() => condIs("later", "Applied", "True"), "applied after the join");
    expect(sim.member("west").applied.get("v1", "configmaps", "default", "x")).toBeDefined();
  });

  it("says when the member is unreachable and catches up once it is back", async () => {
    await createWork("down", [cm("d", { v: "1" }, "default")]);
    await until(() => condIs("down", "Applied", "True"), "applied");
    sim.member("east").setHealth("unreachable");
    await setManifests("down", [cm("d", { v: "2" }, "default")]);
    const w = await until(() => condIs("down", "Applied", "False", "ClusterUnreachable"), "unreachable reported");
    expect(cond(w, "Applied")!.message).toMatch(/cannot reach fleet\/east/);
    sim.member("east").setHealth("ready");
    await until(() => condIs("down", "Applied", "True"), "caught up");
    expect((east().get("v1", "configmaps", "default", "d")!.data as { v: string }).v).toBe("2");
  });

  it("writes to members only while leading, asking the lease before each write", async () => {
    setLeader(false);
    await createWork("idle", [cm("i", { a: "1" }, "default")]);
    // The dispatcher has the Work and has nothing left to do: a follower applied nothing.
    await until(() => dispatcher.stats().works === 1, "the Work in the dispatcher's cache");
    await dispatcher.idle();
    expect(east().get("v1", "configmaps", "default", "i")).toBeUndefined();
    expect((await getWork("idle"))!.status).toBeUndefined();
    const before = confirms;
    setLeader(true);
    await until(() => condIs("idle", "Applied", "True"), "applied once leading");
    expect(confirms).toBeGreaterThan(before);
  });

  it("never writes to a member once the lease says another replica holds it, even if this one still thinks it leads", async () => {
    lease = false;
    await createWork("lost", [cm("l", { a: "1" }, "default")]);
    await until(() => confirms > 0, "a lease check");
    await dispatcher.idle(); // the pass that asked has ended, and wrote nothing
    expect(east().get("v1", "configmaps", "default", "l")).toBeUndefined();
    // A failed check while the elector still says "leader" (the hub did not answer) is retried.
    lease = true;
    await until(() => condIs("lost", "Applied", "True"), "applied once the lease check passes");
  });

  it("adds the cleanup finalizer to a Work that lacks it, and again when a user removes it", async () => {
    const w = await store.create("/works/fleet/bare", { ...(await createWork("tmp", [])), metadata: { name: "bare", namespace: "fleet", uid: randomUUID(), generation: 1, labels: { "clusterset.dev/cluster": "east" } } });
    expect(w.metadata.finalizers).toBeUndefined();
    await until(async () => (await getWork("bare"))?.metadata.finalizers?.includes(WORK_FINALIZER), "finalizer added");
    await store.guaranteedUpdate("/works/fleet/bare", (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [] } }));
    await until(async () => (await getWork("bare"))?.metadata.finalizers?.includes(WORK_FINALIZER), "finalizer added again");
  });

  it("writes status only when it changes", async () => {
    await createWork("quiet", [cm("q", { a: "1" }, "default")]);
    const w = await until(() => condIs("quiet", "Applied", "True"), "applied");
    await dispatcher.idle();
    const rv = w.metadata.resourceVersion;
    const passes = dispatcher.stats().passes;
    await setLeader(true); // a resync: every Work gets a pass
    await until(() => dispatcher.stats().passes > passes, "the resync pass");
    await dispatcher.idle();
    expect((await getWork("quiet"))!.metadata.resourceVersion).toBe(rv);
  });
});
