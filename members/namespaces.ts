/**
 * Hub namespace labels, for the `multicluster.x-k8s.io/clusterset` label a joined member's profile copies from
 * its namespace. Subscribers hear of a namespace only when its labels change.
 */
import * as k8s from "@kubernetes/client-node";
import { isDeepStrictEqual } from "node:util";
import type { Logger } from "pino";
import { startInformer } from "../kube/informer.js";

export interface NamespaceLabels {
  synced: Promise<void>;
  isSynced(): boolean;
  /** The namespace's labels ({} when unknown or gone). */
  labels(namespace: string): Readonly<Record<string, string>>;
  /**
   * The namespace's phase, asking the hub when the cache does not know it yet (a namespace created a moment ago):
   * undefined when it does not exist. What NamespaceLifecycle admission needs.
   */
  phase(namespace: string): Promise<"Active" | "Terminating" | undefined>;
  subscribe(listener: (namespace: string) => void): () => void;
  stop(): Promise<void>;
}

export function watchNamespaceLabels(kc: k8s.KubeConfig, log: Logger): NamespaceLabels {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const known = new Map<string, Record<string, string>>();
  const phases = new Map<string, "Active" | "Terminating">();
  const listeners = new Set<(ns: string) => void>();
  const informer = startInformer<k8s.V1Namespace>(kc, "/api/v1/namespaces", () => core.listNamespace(), log, (type, ns) => {
    const name = ns.metadata?.name ?? "";
    if (type === "delete") phases.delete(name);
    else phases.set(name, ns.status?.phase === "Terminating" || ns.metadata?.deletionTimestamp ? "Terminating" : "Active");
    const next = type === "delete" ? undefined : { ...ns.metadata?.labels };
    if (isDeepStrictEqual(known.get(name), next)) return;
    if (next) known.set(name, next);
    else known.delete(name);
    for (const l of listeners) l(name);
  });
  return {
    synced: informer.synced,
    isSynced: () => informer.isSynced(),
    labels: (ns) => known.get(ns) ?? {},
    async phase(ns) {
      const cached = phases.get(ns);
      if (cached) return cached;
      try {
        const live = await core.readNamespace({ name: ns });
        return live.status?.phase === "Terminating" || live.metadata?.deletionTimestamp ? "Terminating" : "Active";
      } catch (e) {
        if ((e as { code?: number }).code === 404) return undefined;
        throw e;
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => informer.stop(),
  };
}
