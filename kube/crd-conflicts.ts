/**
 * An APIService owns a whole group-version. A CRD on the hub serving multicluster.x-k8s.io/v1alpha1 makes the
 * hub's CRD auto-registration claim our APIService name, so requests would go to the CRD, not to us. We watch
 * CRDs and report such conflicts (logged, and /readyz fails with the message) until they are gone.
 */
import * as k8s from "@kubernetes/client-node";
import type { Logger } from "pino";
import { startInformer, type ResilientInformer } from "./informer.js";

export interface CRDConflicts {
  /** undefined when there is no conflict; otherwise what to do about it. */
  message(): string | undefined;
  synced(): boolean;
  stop(): Promise<void>;
}

export function conflictMessage(names: string[], group: string, version: string): string | undefined {
  if (names.length === 0) return undefined;
  return `CustomResourceDefinition(s) ${names.map((n) => `"${n}"`).join(", ")} serve ${group}/${version} on the hub and take over the APIService v${version.replace(/^v/, "")}.${group}; delete them (kubectl delete crd ${names.join(" ")}) so the hub routes ${group}/${version} to clusterset-apiserver`;
}

export function conflictingCRDs(crds: readonly k8s.V1CustomResourceDefinition[], group: string, version: string): string[] {
  return crds
    .filter((c) => c.spec.group === group && c.spec.versions.some((v) => v.name === version && v.served))
    .map((c) => c.metadata?.name ?? "")
    .sort();
}

export function watchCRDConflicts(kc: k8s.KubeConfig, group: string, version: string, log: Logger): CRDConflicts {
  const api = kc.makeApiClient(k8s.ApiextensionsV1Api);
  let last: string | undefined;
  const informer: ResilientInformer<k8s.V1CustomResourceDefinition> = startInformer(
    kc,
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    () => api.listCustomResourceDefinition(),
    log,
    () => report(),
  );
  const current = () => conflictMessage(conflictingCRDs(informer.list(), group, version), group, version);
  const report = () => {
    const msg = current();
    if (msg !== last) {
      if (msg) log.error({ conflict: msg }, "hub CRDs claim our group-version");
      else if (last) log.info("hub CRD conflict resolved");
      last = msg;
    }
  };
  void informer.synced.then(report);
  return {
    message: () => (informer.isSynced() ? current() : undefined),
    synced: () => informer.isSynced(),
    stop: () => informer.stop(),
  };
}
