/**
 * Hub namespace labels, for the `multicluster.x-k8s.io/clusterset` label a joined member's profile copies from
 * its namespace. Subscribers hear of a namespace only when its labels change.
 */
import * as k8s from "@kubernetes/client-node";
import { isDeepStrictEqual } from "node:util";
import type { Logger } from "pino";
import { startInformer } from "../hub/informer.js";

export interface NamespaceLabels {
  synced: Promise<void>;
  isSynced(): boolean;
  /** The namespace's labels ({} when unknown or gone). */
  labels(namespace: string): Readonly<Record<string, string>>;
  subscribe(listener: (namespace: string) => void): () => void;
  stop(): Promise<void>;
}

export function watchNamespaceLabels(kc: k8s.KubeConfig, log: Logger): NamespaceLabels {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const known = new Map<string, Record<string, string>>();
  const listeners = new Set<(ns: string) => void>();
  const informer = startInformer<k8s.V1Namespace>(kc, "/api/v1/namespaces", () => core.listNamespace(), log, (type, ns) => {
    const name = ns.metadata?.name ?? "";
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
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => informer.stop(),
  };
}
