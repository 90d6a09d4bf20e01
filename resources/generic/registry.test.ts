/**
 * The generic registry's verbs over the store the server runs on (openStore: the watch cache over the level
 * backend, which the storage conformance suite checks), so what these tests see is what a request sees.
 * ClusterProfile has a status subresource; PlacementDecision has none.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { KubeObject, Store } from "../../storage/index.js";
import { failure, requestContext as ctx, useLevelStore } from "../../testing/registry.js";
import { clusterProfiles, placementDecisions } from "../descriptors.js";
import { validatorFor } from "../validation.js";
import { Registry } from "./registry.js";
import { schemaStrategy } from "./schema-strategy.js";

const GV = "multicluster.x-k8s.io/v1alpha1";
const noColumns = { definitions: [], cells: () => [] };
const openedStore = useLevelStore();
let store: Store;
let profiles: Registry;
let decisions: Registry;

beforeEach(() => {
  store = openedStore();
  profiles = new Registry(clusterProfiles, noColumns, store, schemaStrategy(validatorFor("ClusterProfile"), true));
  decisions = new Registry(placementDecisions, noColumns, store, schemaStrategy(validatorFor("PlacementDecision"), false));
});

const profile = (name: string, spec: Record<string, unknown> = { displayName: name, clusterManager: { name: "m" } }, metadata: Record<string, unknown> = {}) => ({
  apiVersion: GV,
  kind: "ClusterProfile",
  metadata: { name, ...metadata },
  spec,
});
const decision = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: GV, kind: "PlacementDecision", metadata: { name, labels }, decisions: [] });

describe("create and get", () => {
  it("sets uid, creationTimestamp, generation and a resourceVersion; get returns the same object", async () => {
    const created = await profiles.create(ctx(), profile("a"));
    expect(created.metadata).toMatchObject({ name: "a", namespace: "ns", generation: 1 });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toMatch(/Z$/);
    expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(await profiles.get(ctx(), "a")).toEqual(created);
  });

  it("answers 409 AlreadyExists and 404 NotFound in kube-apiserver's words", async () => {
    await profiles.create(ctx(), profile("a"));
    expect(await failure(profiles.create(ctx(), profile("a")))).toMatchObject({ code: 409, reason: "AlreadyExists", message: 'clusterprofiles.multicluster.x-k8s.io "a" already exists' });
    expect(await failure(profiles.get(ctx(), "b"))).toMatchObject({ code: 404, reason: "NotFound", message: 'clusterprofiles.multicluster.x-k8s.io "b" not found' });
  });

  it("fills a name from generateName, and drops status on create where there is a status subresource", async () => {
    const created = await profiles.create(ctx(), { ...profile(""), metadata: { generateName: "gen-" }, status: { version: { kubernetes: "v1" } } });
    expect(created.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(created.status).toBeUndefined();
  });

  it("writes nothing on dry run", async () => {
    const before = await store.currentRevision();
    await profiles.create(ctx({ dryRun: true }), profile("dry"));
    expect(await store.currentRevision()).toBe(before);
    expect((await failure(profiles.get(ctx(), "dry"))).code).toBe(404);
  });
});

describe("update", () => {
  it("needs the resourceVersion (422) and a current one (409)", async () => {
    const a = await profiles.create(ctx(), profile("a"));
    expect((await failure(profiles.update(ctx(), "a", profile("a")))).code).toBe(422);
    const next = await profiles.update(ctx(), "a", { ...profile("a", { displayName: "A", clusterManager: { name: "m" } }), metadata: { name: "a", resourceVersion: a.metadata.resourceVersion } });
    expect(next.object.metadata.generation).toBe(2);
    expect(await failure(profiles.update(ctx(), "a", { ...profile("a"), metadata: { name: "a", resourceVersion: a.metadata.resourceVersion } }))).toMatchObject({ code: 409, reason: "Conflict" });
  });

  it("an unchanged object is not written again (same resourceVersion, no event)", async () => {
    const a = await profiles.create(ctx(), profile("a"));
    const same = await profiles.update(ctx(), "a", { ...profile("a"), metadata: { name: "a", resourceVersion: a.metadata.resourceVersion } });
    expect(same.object.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
  });

  it("status goes through /status only, and does not bump the generation", async () => {
    const a = await profiles.create(ctx(), profile("a"));
    const withStatus = { ...a, status: { version: { kubernetes: "v1.30.0" } } };
    const main = await profiles.update(ctx(), "a", withStatus);
    expect(main.object.status).toBeUndefined();
    const status = await profiles.update(ctx(), "a", { ...withStatus, metadata: { ...withStatus.metadata, resourceVersion: main.object.metadata.resourceVersion } }, "status");
    expect(status.object.status).toEqual({ version: { kubernetes: "v1.30.0" } });
    expect(status.object.metadata.generation).toBe(1);
  });

  it("a subresource the kind does not have is 404, as for a CRD without it", async () => {
    await decisions.create(ctx(), decision("d"));
    expect((await failure(decisions.get(ctx(), "d", "status"))).code).toBe(404);
  });

  it("merge patch changes what it names and keeps the rest", async () => {
    await profiles.create(ctx(), profile("a", { displayName: "a", clusterManager: { name: "m" } }, { labels: { keep: "1" } }));
    const patched = await profiles.patch(ctx(), "a", "merge", { metadata: { labels: { added: "2" } }, spec: { displayName: "patched" } });
    expect(patched.object.metadata.labels).toEqual({ keep: "1", added: "2" });
    expect((patched.object.spec as { displayName: string; clusterManager: unknown }).displayName).toBe("patched");
    expect((patched.object.spec as { clusterManager: unknown }).clusterManager).toEqual({ name: "m" });
  });
});

describe("delete", () => {
  it("deletes at once without finalizers; with one it marks the object, and removing the last one deletes it", async () => {
    await decisions.create(ctx(), decision("plain"));
    expect((await decisions.delete(ctx(), "plain", {})).gone).toBe(true);
    expect((await failure(decisions.get(ctx(), "plain"))).code).toBe(404);

    await decisions.create(ctx(), { ...decision("held"), metadata: { name: "held", finalizers: ["example.com/hold"] } });
    const marked = await decisions.delete(ctx(), "held", {});
    expect(marked.gone).toBe(false);
    expect(marked.object.metadata.deletionTimestamp).toBeDefined();
    await decisions.patch(ctx(), "held", "merge", { metadata: { finalizers: null } });
    expect((await failure(decisions.get(ctx(), "held"))).code).toBe(404);
  });

  it("a uid or resourceVersion precondition that does not match is 409", async () => {
    await decisions.create(ctx(), decision("d"));
    expect((await failure(decisions.delete(ctx(), "d", { preconditions: { uid: "not-the-uid" } }))).code).toBe(409);
  });

  it("deletecollection deletes what the selector matches", async () => {
    await decisions.create(ctx(), decision("x", { team: "a" }));
    await decisions.create(ctx(), decision("y", { team: "b" }));
    const gone = await decisions.deleteCollection(ctx(), { labelSelector: "team=a" }, {});
    expect(gone.items.map((o) => o.metadata.name)).toEqual(["x"]);
    expect((await decisions.list(ctx(), {})).items.map((o) => o.metadata.name)).toEqual(["y"]);
  });
});

describe("list and watch", () => {
  it("lists by label, in pages, with continue always present", async () => {
    for (const n of ["a", "b", "c"]) await decisions.create(ctx(), decision(n, { even: String(n !== "b") }));
    const page1 = await decisions.list(ctx(), { limit: 2 });
    expect(page1.items.map((o) => o.metadata.name)).toEqual(["a", "b"]);
    expect(page1.metadata.continue).not.toBe("");
    const page2 = await decisions.list(ctx(), { limit: 2, continue: page1.metadata.continue });
    expect(page2.items.map((o) => o.metadata.name)).toEqual(["c"]);
    expect(page2.metadata.continue).toBe("");
    expect((await decisions.list(ctx(), { labelSelector: "even=true" })).items.map((o) => o.metadata.name)).toEqual(["a", "c"]);
    expect((await decisions.list(ctx({ namespace: "" }), {})).items).toHaveLength(3);
  });

  it("watches from a resourceVersion: ADDED, MODIFIED, DELETED in order", async () => {
    const rv = String(await store.currentRevision());
    const w = await decisions.watch(ctx(), { resourceVersion: rv });
    await decisions.create(ctx(), decision("w"));
    await decisions.patch(ctx(), "w", "merge", { metadata: { labels: { x: "1" } } });
    await decisions.delete(ctx(), "w", {});
    const seen: string[] = [];
    while (seen.length < 3) {
      const events = await w.next();
      if (!events) break;
      for (const e of events) if (e.type !== "BOOKMARK") seen.push(`${e.type} ${(e.object as KubeObject).metadata.name}`);
    }
    w.close();
    expect(seen).toEqual(["ADDED w", "MODIFIED w", "DELETED w"]);
  });
});
