/**
 * Keeps joined members' ClusterProfiles in storage (../../docs/design.md "How computed objects live"): on the leader only,
 * a profile is written when, and only when, its computed content changes, so list, watch, resume and restarts
 * behave as for stored objects and every replica serves the same answer. Members' changes arrive from the fleet
 * (debounced there); work is serialized per key through one dirty set, so a burst of changes to one member
 * becomes one write.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { EventRecorder } from "../../kube/events.js";
import type { LeaderElector } from "../../leader/lease.js";
import type { Fleet } from "../../members/fleet.js";
import type { NamespaceLabels } from "../../members/namespaces.js";
import { StorageError, type KubeObject, type Store } from "../../storage/interface.js";
import { canAdopt, CLUSTER_MANAGER, computeProfile, leftProfile, MANAGER_LABEL, sameContent, type Condition } from "../../api/clusterprofiles/compute.js";
import { ADOPTED_ANNOTATION, SECRET_ANNOTATION } from "../../api/clusterprofiles/joined.js";
import { MEMBER_ID_LABEL, MemberIdClaims, memberId } from "../../api/clusterprofiles/member-id.js";

export interface ProfileWriterDeps {
  store: Store;
  fleet: Fleet;
  namespaces: NamespaceLabels;
  elector: LeaderElector;
  log: Logger;
  /** Where the profiles' Events go (kube/events.ts): joined, unhealthy, healthy again. */
  events?: EventRecorder;
  now?: () => Date;
}

export interface ProfileWriter {
  /** Resolves when every key marked so far has been processed (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

const storeKey = (key: string) => `/clusterprofiles/${key}`;
const whole = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export function startProfileWriter(deps: ProfileWriterDeps): ProfileWriter {
  const { store, fleet, namespaces, elector, log } = deps;
  const now = deps.now ?? (() => new Date());
  const dirty = new Set<string>();
  const refused = new Set<string>();
  const ids = new MemberIdClaims();
  const idClashes = new Map<string, string>(); // profile key → the id it was refused (logged once)
  let running: Promise<void> | undefined;
  let stopped = false;

  const mark = (key: string) => {
    if (stopped) return;
    dirty.add(key);
    if (!running) running = drain().finally(() => (running = undefined));
  };

  async function drain(): Promise<void> {
    while (dirty.size > 0 && !stopped) {
      const [key] = dirty;
      dirty.delete(key!);
      if (!elector.isLeader()) continue;
      try {
        await sync(key!);
      } catch (err) {
        log.warn({ profile: key, err: String(err) }, "profile write failed; retrying");
        setTimeout(() => mark(key!), 1000).unref();
      }
    }
  }

  async function current(key: string): Promise<KubeObject | undefined> {
    try {
      return await store.get(storeKey(key));
    } catch (e) {
      if (e instanceof StorageError && e.code === "NotFound") return undefined;
      throw e;
    }
  }

  async function sync(key: string): Promise<void> {
    const view = fleet.get(key);
    const stored = await current(key);
    if (!view) return memberLeft(key, stored);
    const source = fleet.source(key);
    const secret = source ? `${source.namespace}/${source.secretName}` : "";
    let adopting = false;
    if (stored && !stored.metadata.annotations?.[SECRET_ANNOTATION]) {
      if (!canAdopt(stored)) {
        if (!refused.has(key)) log.error({ profile: key }, `a ClusterProfile ${key} managed by someone else exists: not joining that name (delete it, or set spec.clusterManager.name to ${CLUSTER_MANAGER} to let us adopt it)`);
        refused.add(key);
        return;
      }
      adopting = true;
    }
    refused.delete(key);
    const id = claimMemberId(key, memberId(view, stored?.metadata.labels?.[MEMBER_ID_LABEL]));
    const compute = (base: KubeObject | undefined) => {
      const next = computeProfile(view, base, now(), { namespaceLabels: namespaces.labels(view.namespace), memberId: id });
      next.metadata.annotations = { ...next.metadata.annotations, [SECRET_ANNOTATION]: secret, ...(adopting ? { [ADOPTED_ANNOTATION]: "true" } : {}) };
      return next;
    };
    if (!stored) {
      const next = compute(undefined);
      next.metadata.uid = randomUUID();
      next.metadata.creationTimestamp = whole(now());
      const created = await store.create(storeKey(key), next);
      log.info({ profile: key }, "member joined: profile created");
      tell(created, "Normal", "MemberJoined", "Join", `joined through Secret ${secret}; its API server: ${view.server || "(none: the kubeconfig is unusable)"}`);
      return;
    }
    if (sameContent(compute(stored), stored)) return;
    const written = await store.guaranteedUpdate(storeKey(key), (cur) => {
      const next = compute(cur);
      return sameContent(next, cur) ? cur : next;
    });
    healthEvents(stored, written);
  }

  function tell(profile: KubeObject, type: "Normal" | "Warning", reason: string, action: string, note: string): void {
    const { namespace = "", name = "", uid = "" } = profile.metadata;
    deps.events?.record({ apiVersion: profile.apiVersion ?? "", kind: "ClusterProfile", namespace, name, uid }, type, reason, action, note);
  }

  /** ControlPlaneHealthy turned False (a Warning with the condition's reason) or True again. */
  function healthEvents(before: KubeObject, after: KubeObject): void {
    const health = (o: KubeObject) => (o.status as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === "ControlPlaneHealthy");
    const was = health(before);
    const is = health(after);
    if (!is || was?.status === is.status) return;
    if (is.status === "False") tell(after, "Warning", is.reason, "Probe", is.message);
    else if (is.status === "True" && was?.status === "False") tell(after, "Normal", "Healthy", "Probe", `the member answers again (${is.message}); unhealthy since ${was.lastTransitionTime}, last ${was.reason}`);
  }

  /** The id `key` may carry: `wanted` unless another member of its namespace holds it (then none, logged once). */
  function claimMemberId(key: string, wanted: string | undefined): string | undefined {
    if (ids.idOf(key) !== wanted) freedIn(key);
    if (ids.claim(key, wanted)) {
      idClashes.delete(key);
      return wanted;
    }
    if (idClashes.get(key) !== wanted) {
      const holder = ids.holder(key.slice(0, key.indexOf("/")), wanted!);
      log.warn({ profile: key, memberId: wanted, heldBy: holder }, `inventory member id ${wanted} is already ${holder}'s: two Secrets join the same cluster? The profile goes without ${MEMBER_ID_LABEL}`);
      idClashes.set(key, wanted!);
    }
    return undefined;
  }

  /** `key` gives up its id: members of its namespace refused an id may have it now. */
  function freedIn(key: string): void {
    const ns = key.slice(0, key.indexOf("/") + 1);
    for (const other of idClashes.keys()) if (other !== key && other.startsWith(ns)) mark(other);
  }

  async function memberLeft(key: string, stored: KubeObject | undefined): Promise<void> {
    if (ids.idOf(key) !== undefined) freedIn(key);
    ids.release(key);
    idClashes.delete(key);
    const secret = stored?.metadata.annotations?.[SECRET_ANNOTATION];
    if (!stored || !secret) return;
    if (stored.metadata.annotations?.[ADOPTED_ANNOTATION] === "true") {
      const [ns, name] = secret.split("/");
      await store.guaranteedUpdate(storeKey(key), (cur) => {
        const next = leftProfile(cur, { namespace: ns ?? "", name: name ?? "" }, now());
        const annotations = { ...next.metadata.annotations };
        delete annotations[SECRET_ANNOTATION];
        next.metadata = { ...next.metadata, annotations };
        return sameContent(next, cur) ? cur : next;
      });
      return;
    }
    await store.delete(storeKey(key), { uid: stored.metadata.uid! }).catch((e: unknown) => {
      if (!(e instanceof StorageError && e.code === "NotFound")) throw e;
    });
    log.info({ profile: key }, "member left: profile deleted");
  }

  /** Everything a new leader must look at: current members and profiles we wrote for members now gone. */
  async function resyncAll(): Promise<void> {
    let ours: KubeObject[] = [];
    try {
      const list = await store.list("/clusterprofiles/");
      ours = list.items.filter((p) => p.metadata.annotations?.[SECRET_ANNOTATION] && p.metadata.labels?.[MANAGER_LABEL] === CLUSTER_MANAGER);
      // Ids already written are held by their profiles before any member is looked at: the first holder keeps its id.
      for (const p of ours) ids.claim(`${p.metadata.namespace}/${p.metadata.name}`, p.metadata.labels?.[MEMBER_ID_LABEL]);
    } finally {
      for (const key of fleet.keys()) mark(key);
      for (const p of ours) mark(`${p.metadata.namespace}/${p.metadata.name}`);
    }
  }

  const unsubscribeFleet = fleet.subscribe(mark);
  const unsubscribeNs = namespaces.subscribe((ns) => {
    for (const key of fleet.keys()) if (key.startsWith(`${ns}/`)) mark(key);
  });
  elector.onChange((leader) => {
    if (leader) resyncAll().catch((err: unknown) => log.warn({ err: String(err) }, "profile resync failed"));
  });
  if (elector.isLeader()) void resyncAll();

  return {
    async idle() {
      while (running) await running;
    },
    stop() {
      stopped = true;
      unsubscribeFleet();
      unsubscribeNs();
    },
  };
}
