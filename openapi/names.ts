/**
 * Names as kube-apiserver derives them for custom resources' OpenAPI: definition names with the group reversed
 * (`io.x-k8s.multicluster.v1alpha1.ClusterProfile`), operation ids and tags with the group-version folded in
 * (`listMulticlusterXK8sIoV1alpha1NamespacedClusterProfile`, `multiclusterXK8sIo_v1alpha1`), and the
 * operation descriptions ("create a ClusterProfile", "partially update status of the specified Work").
 */

export const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** `multicluster.x-k8s.io`, `v1alpha1`, `ClusterProfile` → `io.x-k8s.multicluster.v1alpha1.ClusterProfile`. */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split(".").reverse().join(".")}.${version}.${kind}`;
}

/** endpoints/openapi.ToValidOperationID: letters and inner digits kept, anything else capitalizes the next. */
export function toValidOperationID(s: string, capitalizeFirst: boolean): string {
  let out = "";
  let capitalize = capitalizeFirst;
  let i = 0;
  for (const ch of s) {
    if (/\p{L}/u.test(ch) || ch === "_" || (i !== 0 && /\p{Nd}/u.test(ch))) {
      out += capitalize ? ch.toUpperCase() : ch;
      capitalize = false;
    } else {
      capitalize = true;
    }
    i++;
  }
  return out;
}

/** The group as it appears in ids: `.k8s.io` groups lose the suffix (`multicluster.x-k8s.io` keeps it). */
function groupPart(group: string): string {
  return group.endsWith(".k8s.io") ? group.slice(0, -".k8s.io".length) : group;
}

/** GetOperationIDAndTags: the verb, then group and version, then the rest (`NamespacedWorkStatus`). */
export function operationId(verb: string, rest: string, group: string, version: string): string {
  return `${verb}${toValidOperationID(groupPart(group), true)}${toValidOperationID(version, true)}${rest}`;
}

export function operationTag(group: string, version: string): string {
  return `${toValidOperationID(groupPart(group), false)}_${toValidOperationID(version, false)}`;
}

/** getArticleForNoun: " a " or " an " by the first letter; plural-looking kinds ("…s", not "…ss") get none. */
export function article(kind: string): string {
  if (kind.endsWith("s") && !kind.endsWith("ss")) return " ";
  return /^[aeiou]/i.test(kind) ? " an " : " a ";
}
