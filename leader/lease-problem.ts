/**
 * Why a Lease call failed, in words an operator can act on. Losing to another holder is the election working
 * (not a problem); anything else — the namespace missing, RBAC, the hub unreachable — means this replica can
 * never lead, so nothing computed is written and no Work is applied: that must be loud (a warning naming the
 * cause), not a debug line.
 */

/** A failed Lease call: which verb, on which Lease, and the hub's HTTP status (none when no answer came). */
export class LeaseCallError extends Error {
  override name = "LeaseCallError";
  constructor(
    readonly verb: "get" | "create" | "update",
    readonly namespace: string,
    readonly leaseName: string,
    /** HTTP status of the hub's answer; undefined when the hub could not be reached. */
    readonly status: number | undefined,
    /** The hub's Status message, or the network error. */
    readonly detail: string,
  ) {
    super(`${verb} Lease ${namespace}/${leaseName}: ${status ? `HTTP ${status}: ` : ""}${detail}`);
  }
}

export type LeaseProblemReason = "OtherHolder" | "NamespaceNotFound" | "Forbidden" | "Unauthorized" | "HubUnreachable" | "HubError";

export interface LeaseProblem {
  reason: LeaseProblemReason;
  /** One sentence naming the cause and what to do; stable while the cause is the same (so it is logged once). */
  message: string;
}

export function leaseProblem(err: unknown): LeaseProblem {
  if (!(err instanceof LeaseCallError)) return { reason: "HubError", message: `Lease call failed: ${err instanceof Error ? err.message : String(err)}` };
  const lease = `Lease ${err.namespace}/${err.leaseName}`;
  switch (err.status) {
    case undefined:
      return { reason: "HubUnreachable", message: `cannot reach the hub to ${err.verb} ${lease}: ${err.detail}; this replica cannot lead until it can` };
    case 409:
      // Another replica created or renewed the Lease between our read and our write.
      return { reason: "OtherHolder", message: `${lease} changed under us (another holder)` };
    case 404:
      return {
        reason: "NamespaceNotFound",
        message: `namespace "${err.namespace}" does not exist on the hub, so ${lease} cannot be created and this replica never leads (no profile is written, no Work applied): create the namespace or set --service-namespace`,
      };
    case 403:
      return {
        reason: "Forbidden",
        message: `forbidden to ${err.verb} ${lease} (${err.detail}): grant the server's ServiceAccount get, create and update on leases.coordination.k8s.io in namespace "${err.namespace}"`,
      };
    case 401:
      return { reason: "Unauthorized", message: `the hub refused our credentials to ${err.verb} ${lease} (${err.detail})` };
    default:
      return { reason: "HubError", message: `the hub answered HTTP ${err.status} to ${err.verb} ${lease}: ${err.detail}` };
  }
}
