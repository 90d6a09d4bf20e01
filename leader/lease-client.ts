/**
 * The few Lease calls leader election makes, behind an interface so the election logic is tested without a
 * hub. `hubLeaseClient` is the real one (coordination.k8s.io/v1 on the hub).
 */
import * as k8s from "@kubernetes/client-node";

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: Date;
  renewTime?: Date;
  leaseTransitions: number;
  /** Opaque: the optimistic-concurrency token of the stored Lease. */
  resourceVersion?: string;
}

export interface LeaseClient {
  /** undefined when the Lease does not exist. */
  get(): Promise<LeaseRecord | undefined>;
  /** Throws on conflict (someone else created it). */
  create(r: LeaseRecord): Promise<LeaseRecord>;
  /** Throws on conflict (r.resourceVersion is stale). */
  update(r: LeaseRecord): Promise<LeaseRecord>;
}

const toRecord = (l: k8s.V1Lease): LeaseRecord => ({
  holderIdentity: l.spec?.holderIdentity ?? "",
  leaseDurationSeconds: l.spec?.leaseDurationSeconds ?? 0,
  ...(l.spec?.acquireTime ? { acquireTime: new Date(l.spec.acquireTime) } : {}),
  ...(l.spec?.renewTime ? { renewTime: new Date(l.spec.renewTime) } : {}),
  leaseTransitions: l.spec?.leaseTransitions ?? 0,
  ...(l.metadata?.resourceVersion ? { resourceVersion: l.metadata.resourceVersion } : {}),
});

function toLease(namespace: string, name: string, r: LeaseRecord): k8s.V1Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace, ...(r.resourceVersion ? { resourceVersion: r.resourceVersion } : {}) },
    spec: {
      holderIdentity: r.holderIdentity,
      leaseDurationSeconds: r.leaseDurationSeconds,
      leaseTransitions: r.leaseTransitions,
      ...(r.acquireTime ? { acquireTime: new k8s.V1MicroTime(r.acquireTime.getTime()) } : {}),
      ...(r.renewTime ? { renewTime: new k8s.V1MicroTime(r.renewTime.getTime()) } : {}),
    },
  };
}

export function hubLeaseClient(kc: k8s.KubeConfig, namespace: string, name: string): LeaseClient {
  const api = kc.makeApiClient(k8s.CoordinationV1Api);
  return {
    async get() {
      try {
        return toRecord(await api.readNamespacedLease({ name, namespace }));
      } catch (e) {
        if ((e as { code?: number }).code === 404) return undefined;
        throw e;
      }
    },
    async create(r) {
      return toRecord(await api.createNamespacedLease({ namespace, body: toLease(namespace, name, r) }));
    },
    async update(r) {
      return toRecord(await api.replaceNamespacedLease({ name, namespace, body: toLease(namespace, name, r) }));
    },
  };
}
