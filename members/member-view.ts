/**
 * The snapshot of one member that everything above `members/` reads (ClusterProfile computation, columns,
 * benchmarks). Plain data, immutable once handed out, and free of credentials: it may be logged and compared.
 */
import type { ConditionStatus } from "./health.js";
import type { NodeTotals } from "./node-totals.js";
import type { ObservedProperty } from "./properties.js";

export interface ViewCondition {
  status: ConditionStatus;
  /** CamelCase: Healthy, NotReady, Unauthorized, Unreachable, InvalidKubeconfig, Connecting, Joined. */
  reason: string;
  message: string;
  /** RFC 3339 (whole seconds): when `status` took its current value in this view. */
  since: string;
  /**
   * Nothing observed yet (the first probe has not finished): the status is a placeholder, and a computed
   * profile should keep what it stored before (a restarted leader must not flip conditions to Unknown).
   */
  pending?: true;
}

export interface MemberView {
  /** The ClusterProfile's name and namespace. */
  name: string;
  namespace: string;
  /** The Secret this member comes from; `key` is the data key holding the kubeconfig. */
  secretRef: { namespace: string; name: string; key: string; kind: "clusterset" | "cluster-api" };
  displayName?: string;
  /** The member's API server URL ("" when the kubeconfig is unusable). */
  server: string;
  /** certificate-authority-data from the kubeconfig (base64 PEM; public, not a credential). */
  caData?: string;
  tlsServerName?: string;
  insecureSkipTLSVerify?: boolean;
  proxyUrl?: string;
  /** The kubeconfig context used (what the kubeconfig-secretreader plugin should use too). */
  context?: string;
  /** `/version` gitVersion, once known. */
  version?: string;
  /** The kube-system namespace's uid, once known: the member's id when it has no `cluster.clusterset.k8s.io`. */
  kubeSystemUid?: string;
  health: ViewCondition;
  joined: ViewCondition;
  /** Summed over the member's Nodes; `synced` false until the first Node list arrived. */
  nodes: NodeTotals & { synced: boolean };
  /** Every ClusterProperty (value ≤ 1,024 characters), sorted by name. */
  properties: ObservedProperty[];
  /** False until the member's ClusterProperties were listed (or found not installed). */
  propertiesSynced: boolean;
}
