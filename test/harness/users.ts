/** Credentials for test users: a client certificate (CN = user, O = groups) signed by a cluster's CA. */
import path from "node:path";
import { binaries } from "./binaries.js";
import type { Cluster } from "./cluster.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { runKubectl, type KubectlOptions, type KubectlResult } from "./kubectl.js";
import { clientCert, frontProxyCert } from "./pki.js";

export interface UserCredentials {
  user: string;
  groups: string[];
  kubeconfigPath: string;
  certPem: string;
  keyPem: string;
  /** The cluster CA, to verify the server. */
  caPem: string;
  /** kubectl as this user against the cluster. */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
}

/** A kubeconfig for user `cn` in `groups` on `cluster` (hub or member). */
export async function userKubeconfig(cluster: Cluster, user: { cn: string; groups?: string[] }): Promise<UserCredentials> {
  const [bins, cert] = await Promise.all([binaries(), clientCert(cluster.pki, user)]);
  const kubeconfigPath = writeKubeconfig(cert.certPath.replace(/\.crt$/, ".kubeconfig"), {
    name: cluster.name,
    server: cluster.url,
    caPem: cluster.caPem,
    user: { certPem: cert.certPem, keyPem: cert.keyPem },
    userName: user.cn,
  });
  const cacheDir = path.join(cluster.dir, "kubectl-cache");
  return {
    user: user.cn,
    groups: user.groups ?? [],
    kubeconfigPath,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    caPem: cluster.caPem,
    kubectl: (args, opts) => runKubectl({ kubectlPath: bins.kubectl, kubeconfigPath, cacheDir }, args, opts),
  };
}

/** PEMs for TLS client auth as the hub's aggregator would present them. */
export interface FrontProxyCreds {
  cert: string;
  key: string;
  /** The front-proxy CA (what our server must trust for requestheader auth). */
  ca: string;
}

/** The hub's own front-proxy client certificate (CN=front-proxy-client). */
export function frontProxyClient(hub: Cluster): FrontProxyCreds {
  return { cert: hub.pki.frontProxyClient.certPem, key: hub.pki.frontProxyClient.keyPem, ca: hub.pki.frontProxyCa.certPem };
}

/** A certificate from the hub's front-proxy CA with another CN (not in requestheader-allowed-names). */
export async function frontProxyClientAs(hub: Cluster, cn: string): Promise<FrontProxyCreds> {
  const c = await frontProxyCert(hub.pki, cn);
  return { cert: c.certPem, key: c.keyPem, ca: hub.pki.frontProxyCa.certPem };
}
