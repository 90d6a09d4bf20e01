/**
 * Which hub Secrets are members (../docs/design.md "Joining a member"), as pure functions:
 * - `type: clusterset.dev/kubeconfig`, kubeconfig in `data.kubeconfig`; profile named by label
 *   `clusterset.dev/cluster-name`, else by the Secret; display name from annotation `clusterset.dev/display-name`;
 * - Cluster API: `type: cluster.x-k8s.io/secret` named `<cluster>-kubeconfig` with label
 *   `cluster.x-k8s.io/cluster-name: <cluster>`, kubeconfig in `data.value`; its other Secrets are ignored.
 * Two Secrets naming one profile in a namespace: the older (creationTimestamp, then name) wins and the winner
 * records the losers, so the profile's Joined condition can name them.
 */
import { Sensitive } from "./sensitive.js";

export const KUBECONFIG_SECRET_TYPE = "clusterset.dev/kubeconfig";
export const CAPI_SECRET_TYPE = "cluster.x-k8s.io/secret";
export const CLUSTER_NAME_LABEL = "clusterset.dev/cluster-name";
export const DISPLAY_NAME_ANNOTATION = "clusterset.dev/display-name";
export const CAPI_CLUSTER_NAME_LABEL = "cluster.x-k8s.io/cluster-name";

/** The shape we read; client-node's V1Secret (Date timestamps) and raw watch JSON (string timestamps) both fit. */
export interface SecretLike {
  type?: string;
  data?: Record<string, string>;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: Date | string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

export interface MemberCandidate {
  namespace: string;
  /** The ClusterProfile's name. */
  profile: string;
  secretName: string;
  kind: "clusterset" | "cluster-api";
  /** The Secret's data key holding the kubeconfig ("kubeconfig" or "value"). */
  key: string;
  displayName?: string;
  /** Milliseconds since the epoch; orders candidates (older wins). */
  created: number;
  uid: string;
  resourceVersion: string;
  /** The kubeconfig bytes, undefined when the key is missing (the member then shows Joined=False). */
  kubeconfig?: Sensitive<Buffer>;
}

/** A winning candidate plus the Secrets (names, sorted) that name the same profile and are ignored. */
export interface MemberSource extends MemberCandidate {
  ignored: string[];
}

export type Classified = { member: MemberCandidate } | { skip: string } | undefined;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** "" when the name can name a ClusterProfile, else why not. */
export function profileNameProblem(name: string): string {
  if (name.length > 253) return "longer than 253 characters";
  return DNS_SUBDOMAIN.test(name) ? "" : "not a lowercase DNS subdomain name";
}

function millis(t: Date | string | undefined): number {
  const ms = t instanceof Date ? t.getTime() : t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : 0;
}

/**
 * undefined: not a member Secret at all. `skip`: meant to be one but unusable (the reason is for a log line).
 * `member`: a candidate for its profile.
 */
export function classifySecret(s: SecretLike): Classified {
  const md = s.metadata ?? {};
  const secretName = md.name ?? "";
  let profile: string;
  let key: string;
  let kind: MemberCandidate["kind"];
  if (s.type === KUBECONFIG_SECRET_TYPE) {
    profile = md.labels?.[CLUSTER_NAME_LABEL] || secretName;
    key = "kubeconfig";
    kind = "clusterset";
  } else if (s.type === CAPI_SECRET_TYPE) {
    const cluster = md.labels?.[CAPI_CLUSTER_NAME_LABEL];
    // Only <cluster>-kubeconfig; -ca, -etcd, -sa, -proxy and bootstrap data carry the same type and label.
    if (!cluster || secretName !== `${cluster}-kubeconfig`) return undefined;
    profile = cluster;
    key = "value";
    kind = "cluster-api";
  } else {
    return undefined;
  }
  const problem = profileNameProblem(profile);
  if (problem) return { skip: `profile name "${profile}" is ${problem}` };
  const data = s.data?.[key];
  const displayName = md.annotations?.[DISPLAY_NAME_ANNOTATION];
  return {
    member: {
      namespace: md.namespace ?? "",
      profile,
      secretName,
      kind,
      key,
      ...(displayName ? { displayName } : {}),
      created: millis(md.creationTimestamp),
      uid: md.uid ?? "",
      resourceVersion: md.resourceVersion ?? "",
      ...(data !== undefined ? { kubeconfig: new Sensitive(Buffer.from(data, "base64")) } : {}),
    },
  };
}

/** Older first; same second → name order. The first one wins. */
export function olderFirst(a: MemberCandidate, b: MemberCandidate): number {
  return a.created - b.created || (a.secretName < b.secretName ? -1 : a.secretName > b.secretName ? 1 : 0);
}

export const profileKey = (namespace: string, profile: string) => `${namespace}/${profile}`;

/** One source per profile key from all candidates. */
export function selectMembers(candidates: Iterable<MemberCandidate>): Map<string, MemberSource> {
  const groups = new Map<string, MemberCandidate[]>();
  for (const c of candidates) {
    const k = profileKey(c.namespace, c.profile);
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  const out = new Map<string, MemberSource>();
  for (const [k, g] of groups) out.set(k, pickWinner(g)!);
  return out;
}

/** The winner of one profile's candidates (undefined when none). */
export function pickWinner(group: readonly MemberCandidate[]): MemberSource | undefined {
  if (group.length === 0) return undefined;
  const sorted = [...group].sort(olderFirst);
  const ignored = sorted.slice(1).map((c) => c.secretName).sort();
  return { ...sorted[0]!, ignored };
}

/** `--namespaces`: an empty list means every namespace. */
export function inNamespaces(namespace: string, namespaces: readonly string[]): boolean {
  return namespaces.length === 0 || namespaces.includes(namespace);
}
