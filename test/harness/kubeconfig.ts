/**
 * Kubeconfig files. Flattened (certificates, keys and tokens inline, no file paths), so the same text works from
 * any directory and can go straight into a member's join Secret; but for `writeUserKubeconfig`, which plays a
 * user's own file.
 */
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";
import type { Cluster } from "./cluster.js";

export type KubeconfigUser = { certPem: string; keyPem: string } | { token: string };

export interface KubeconfigSpec {
  /** Names the cluster, user and context, e.g. "hub" or "member1". */
  name: string;
  server: string;
  caPem: string;
  user: KubeconfigUser;
  /** User entry name; defaults to `name`. */
  userName?: string;
  namespace?: string;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

export function kubeconfigYaml(spec: KubeconfigSpec): string {
  const userName = spec.userName ?? spec.name;
  const user =
    "token" in spec.user
      ? { token: spec.user.token }
      : { "client-certificate-data": b64(spec.user.certPem), "client-key-data": b64(spec.user.keyPem) };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: spec.name, cluster: { server: spec.server, "certificate-authority-data": b64(spec.caPem) } }],
    users: [{ name: userName, user }],
    contexts: [
      {
        name: spec.name,
        context: { cluster: spec.name, user: userName, ...(spec.namespace ? { namespace: spec.namespace } : {}) },
      },
    ],
    "current-context": spec.name,
  });
}

/** Writes a kubeconfig (mode 0600: it holds credentials) and returns its path. */
export function writeKubeconfig(file: string, spec: KubeconfigSpec): string {
  writeFileSync(file, kubeconfigYaml(spec), { mode: 0o600 });
  return file;
}

/**
 * A user's own kubeconfig, the way `join` meets it: the hub (current context "hub") and one member under
 * context `memberContext`, with certificates and keys as file paths (not flattened). Returns the path written.
 */
export function writeUserKubeconfig(file: string, hub: Cluster, member: Cluster, memberContext: string): string {
  const entry = (name: string, c: Cluster) => ({
    cluster: { name, cluster: { server: c.url, "certificate-authority": c.pki.ca.certPath } },
    user: { name: `${name}-admin`, user: { "client-certificate": c.pki.admin.certPath, "client-key": c.pki.admin.keyPath } },
  });
  const [h, m] = [entry("hub", hub), entry("m", member)];
  writeFileSync(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [h.cluster, m.cluster],
      users: [h.user, m.user],
      contexts: [
        { name: "hub", context: { cluster: "hub", user: "hub-admin" } },
        { name: memberContext, context: { cluster: "m", user: "m-admin" } },
      ],
      "current-context": "hub",
    }),
    { mode: 0o600 },
  );
  return file;
}
