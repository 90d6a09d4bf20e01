/**
 * The few Lease calls leader election makes, behind an interface so the election logic is tested without a
 * hub. `hubLeaseClient` is the real one (coordination.k8s.io/v1 on the hub).
 */
import * as k8s from "@kubernetes/client-node";
import { LeaseCallError } from "./lease-problem.js";

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
  /** Runs one call, turning whatever client-node throws into a LeaseCallError (verb, Lease, HTTP status). */
  const call = async <T>(verb: LeaseCallError["verb"], f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw asLeaseCallError(e, verb, namespace, name);
    }
  };
  return {
    async get() {
      try {
        return toRecord(await api.readNamespacedLease({ name, namespace }));
      } catch (e) {
        const err = asLeaseCallError(e, "get", namespace, name);
        // A missing Lease is no error (the first candidate creates it); a missing namespace shows at create.
        if (err.status === 404) return undefined;
        throw err;
      }
    },
    create: (r) => call("create", async () => toRecord(await api.createNamespacedLease({ namespace, body: toLease(namespace, name, r) }))),
    update: (r) => call("update", async () => toRecord(await api.replaceNamespacedLease({ name, namespace, body: toLease(namespace, name, r) }))),
  };
}

/** client-node's ApiException carries `code` and the Status body; a network failure carries neither. */
export function asLeaseCallError(e: unknown, verb: LeaseCallError["verb"], namespace: string, name: string): LeaseCallError {
  const err = e as { code?: unknown; body?: unknown; message?: string; cause?: { code?: string; message?: string } };
  if (typeof err?.code === "number") {
    let detail = "";
    try {
      const status = (typeof err.body === "string" ? JSON.parse(err.body) : err.body) as { message?: string } | undefined;
      detail = status?.message ?? "";
    } catch {
      detail = typeof err.body === "string" ? err.body.slice(0, 200) : "";
    }
    return new LeaseCallError(verb, namespace, name, err.code, detail);
  }
  const cause = err?.cause?.code ?? err?.cause?.message;
  return new LeaseCallError(verb, namespace, name, undefined, `${err?.message ?? String(e)}${cause ? ` (${cause})` : ""}`);
}
