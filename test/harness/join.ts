/**
 * Joining a member the way docs/design.md "Joining a member" says: a hub Secret of type
 * `clusterset.dev/kubeconfig` holding a flattened kubeconfig that reaches the member in `data.kubeconfig`.
 */
import { stringify } from "yaml";
import type { Cluster } from "./cluster.js";
import { kubeconfigYaml } from "./kubeconfig.js";

export const KUBECONFIG_SECRET_TYPE = "clusterset.dev/kubeconfig";

export interface JoinOptions {
  /** Hub namespace for the Secret (and so the ClusterProfile); created if missing. */
  namespace: string;
  /** Secret name; default the member's name. */
  secretName?: string;
  /** Label `clusterset.dev/cluster-name` (the profile name when it differs from the Secret's). */
  clusterName?: string;
  /** Annotation `clusterset.dev/display-name`. */
  displayName?: string;
  labels?: Record<string, string>;
  /** Labels for the namespace when this call creates or updates it (e.g. multicluster.x-k8s.io/clusterset). */
  namespaceLabels?: Record<string, string>;
  /** The kubeconfig to store; default the member's admin kubeconfig, flattened. */
  kubeconfig?: string;
}

export interface Joined {
  namespace: string;
  secretName: string;
}

/** The member's admin kubeconfig, flattened, as a join Secret carries it. */
export function memberKubeconfig(member: Cluster): string {
  return kubeconfigYaml({
    name: member.name,
    server: member.url,
    caPem: member.caPem,
    user: { certPem: member.pki.admin.certPem, keyPem: member.pki.admin.keyPem },
    userName: `${member.name}-admin`,
  });
}

export function joinSecretManifest(member: Cluster, opts: JoinOptions): object {
  const labels = { ...opts.labels, ...(opts.clusterName ? { "clusterset.dev/cluster-name": opts.clusterName } : {}) };
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: KUBECONFIG_SECRET_TYPE,
    metadata: {
      name: opts.secretName ?? member.name,
      namespace: opts.namespace,
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(opts.displayName ? { annotations: { "clusterset.dev/display-name": opts.displayName } } : {}),
    },
    data: { kubeconfig: Buffer.from(opts.kubeconfig ?? memberKubeconfig(member)).toString("base64") },
  };
}

/** Creates (or updates) the namespace and the member's join Secret on the hub. */
export async function joinMember(hub: Cluster, member: Cluster, opts: JoinOptions): Promise<Joined> {
  const ns = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: opts.namespace, ...(opts.namespaceLabels ? { labels: opts.namespaceLabels } : {}) },
  };
  const secret = joinSecretManifest(member, opts);
  await hub.kubectl(["apply", "-f", "-"], { input: [ns, secret].map((d) => stringify(d)).join("---\n"), check: true });
  return { namespace: opts.namespace, secretName: opts.secretName ?? member.name };
}

/** Deletes the join Secret (the member leaves). */
export async function unjoinMember(hub: Cluster, joined: Joined): Promise<void> {
  await hub.kubectl(["delete", "secret", joined.secretName, "-n", joined.namespace, "--ignore-not-found", "--wait=false"], {
    check: true,
  });
}
