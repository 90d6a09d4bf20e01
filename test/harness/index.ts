/** The harness's public surface for e2e tests, benchmarks and `npm start`. */
export { binaries, kubeVersion, type Binaries } from "./binaries.js";
export { startCluster, type Cluster, type StartClusterOptions } from "./cluster.js";
export { addKwokNode, defaultNodes, KWOK_NODE_ANNOTATION, kwokNodeManifest, waitNodesReady, type KwokNode } from "./kwok.js";
export { startClusterSet, type ClusterSet, type StartClusterSetOptions } from "./clusterset.js";
export { startEtcd, type Etcd } from "./etcd.js";
export { httpsRequest, waitForHttpsOk, type HttpsResponse, type RequestInit, type TlsCreds } from "./https.js";
export { joinMember, joinSecretManifest, memberKubeconfig, unjoinMember, KUBECONFIG_SECRET_TYPE, type JoinOptions, type Joined } from "./join.js";
export { kubeconfigYaml, writeKubeconfig, type KubeconfigSpec } from "./kubeconfig.js";
export type { KubectlOptions, KubectlResult } from "./kubectl.js";
export { prepareServer, type OurServer, type ServerOptions } from "./our-server.js";
export { clientCert, createCa, frontProxyCert, issueCert, SERVER_SERVICE_DNS, type CertFiles, type ClusterPki } from "./pki.js";
export { freePort, spawnLogged, stopPid, waitFor, type ManagedProcess } from "./processes.js";
export { APISERVICE_NAME, GROUP, SERVER_NAMESPACE, SERVER_SERVICE_ACCOUNT, VERSION } from "./register.js";
export { createRunDir, repoRoot, RunDir } from "./run-dir.js";
export { frontProxyClient, frontProxyClientAs, userKubeconfig, type FrontProxyCreds, type UserCredentials } from "./users.js";
export { useCluster, useClusterSet } from "./vitest.js";
