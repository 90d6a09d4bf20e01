/**
 * What tests and benchmarks need to drive the dispatcher without a hub: an elector that always leads, a stored
 * Work as the REST layer would create it, and a watch that records when each Work first reports Applied=True
 * (for "1,000 Works, one per simulated member, all Applied": start the dispatcher over a level store and a
 * fleet fed from test/sim, create the Works, await `appliedWatch(...).all`, read the per-Work latencies).
 */
import { randomUUID } from "node:crypto";
import type { LeaderElector } from "../../leader/lease.js";
import type { MemberSource } from "../../members/secrets.js";
import { Sensitive } from "../../members/sensitive.js";
import type { KubeObject, Store } from "../../storage/interface.js";
import { workClusterLabel } from "../../api/works/manifests.js";
import { WORK_FINALIZER, workKey } from "../../api/works/manifests.js";
import type { WorkStatus } from "../../api/works/status.js";

export { startWorkDispatcher, type DispatcherOptions, type WorkDispatcher } from "./dispatcher.js";

/** An elector that leads from the start and confirms every write (one process, no hub). */
export function alwaysLeader(identity = "bench"): LeaderElector {
  return { identity, isLeader: () => true, onChange: () => undefined, confirm: async () => true, stop: async () => undefined };
}

/** A member source for `createFleet().apply({ type: "upsert", key: `${namespace}/${name}`, source })`. */
export function memberSource(namespace: string, name: string, kubeconfigYaml: string): MemberSource {
  return { namespace, profile: name, secretName: name, kind: "clusterset", key: "kubeconfig", created: 0, uid: `uid-${namespace}-${name}`, resourceVersion: "1", ignored: [], kubeconfig: new Sensitive(Buffer.from(kubeconfigYaml)) };
}

/** A Work as the registry stores it on create (uid, generation, creationTimestamp, cleanup finalizer). */
export function storedWork(namespace: string, name: string, cluster: string, manifests: unknown[]): KubeObject {
  return {
    apiVersion: "multicluster.x-k8s.io/v1alpha1",
    kind: "Work",
    metadata: { name, namespace, uid: randomUUID(), generation: 1, creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"), finalizers: [WORK_FINALIZER], labels: { [workClusterLabel]: cluster } },
    spec: { workload: { manifests } },
  };
}

export const createWork = (store: Store, work: KubeObject) => store.create(`/works/${workKey(work)}`, work);

/** Applied=True for the Work's current generation. */
export function isApplied(work: KubeObject): boolean {
  const c = (work.status as WorkStatus | undefined)?.conditions?.find((x) => x.type === "Applied");
  return c?.status === "True" && c.observedGeneration === (work.metadata.generation ?? 0);
}

export interface AppliedWatch {
  /** performance.now() at which each Work ("ns/name") was first seen Applied. */
  readonly appliedAt: Map<string, number>;
  /** Resolves once `expected` Works are Applied. */
  readonly all: Promise<void>;
  close(): void;
}

/** Watches `/works/` (from now) and records the first Applied=True of each Work. Start it before creating. */
export async function appliedWatch(store: Store, expected: number): Promise<AppliedWatch> {
  const appliedAt = new Map<string, number>();
  const w = await store.watch("/works/", { resourceVersion: String(await store.currentRevision()) });
  let done!: () => void;
  let failed!: (e: Error) => void;
  const all = new Promise<void>((res, rej) => ((done = res), (failed = rej)));
  void (async () => {
    for (;;) {
      const events = await w.next();
      if (!events) return failed(new Error(`the Works watch ended (${w.endReason ?? "closed"}) with ${appliedAt.size} of ${expected} applied`));
      for (const e of events) {
        if (e.type === "BOOKMARK" || e.type === "DELETED" || !isApplied(e.object)) continue;
        const key = workKey(e.object);
        if (!appliedAt.has(key)) appliedAt.set(key, performance.now());
      }
      if (appliedAt.size >= expected) return done();
    }
  })();
  return { appliedAt, all, close: () => w.close() };
}
