/**
 * Which about.k8s.io version a member serves ClusterProperties at, from its discovery documents (pure).
 * The upstream CRD serves v1alpha1 and v1beta1 with the same `spec.value`; members may have either or both.
 * We take the group's preferred version when we know it, else the newest known version served.
 */

export const ABOUT_GROUP = "about.k8s.io";
export const KNOWN_VERSIONS = ["v1beta1", "v1alpha1"] as const;

export interface APIGroupDoc {
  versions?: Array<{ version?: string }>;
  preferredVersion?: { version?: string };
}

export interface APIResourceListDoc {
  resources?: Array<{ name?: string }>;
}

/** Versions worth trying, best first; empty when the group serves none we understand. */
export function candidateVersions(group: APIGroupDoc): string[] {
  const served = new Set((group.versions ?? []).map((v) => v.version ?? ""));
  const preferred = group.preferredVersion?.version;
  const known = KNOWN_VERSIONS.filter((v) => served.has(v));
  return preferred && known.includes(preferred as (typeof KNOWN_VERSIONS)[number]) ? [preferred, ...known.filter((v) => v !== preferred)] : known;
}

export function servesClusterProperties(list: APIResourceListDoc): boolean {
  return (list.resources ?? []).some((r) => r.name === "clusterproperties");
}
