/**
 * Registering our server on the hub the way a cluster admin would: namespace, ServiceAccount, the RBAC
 * in deploy/base/rbac.yaml (applied as is, so the tests keep it honest), a Service, and the APIService that
 * makes the hub's aggregator proxy multicluster.x-k8s.io/v1alpha1 to us.
 *
 * The Service is an ExternalName service pointing at `localhost`: the aggregator dials
 * `localhost:<APIService port>` and checks our certificate for `clusterset-apiserver.clusterset-system.svc`.
 */
import path from "node:path";
import { stringify } from "yaml";
import type { Cluster } from "./cluster.js";
import { waitFor, type ManagedProcess } from "./processes.js";
import { repoRoot } from "./run-dir.js";

export const SERVER_NAMESPACE = "clusterset-system";
export const SERVER_SERVICE_ACCOUNT = "clusterset-apiserver";
export const SERVER_SERVICE = "clusterset-apiserver";
export const GROUP = "multicluster.x-k8s.io";
export const VERSION = "v1alpha1";
export const APISERVICE_NAME = `${VERSION}.${GROUP}`;
export const RBAC_FILE = path.join(repoRoot, "deploy", "base", "rbac.yaml");
/** Our resources in the hub's view/edit/admin roles, as deployed. */
export const AGGREGATED_ROLES_FILE = path.join(repoRoot, "deploy", "base", "aggregated-roles.yaml");

/** Namespace, ServiceAccount, RBAC from deploy/, and the Service for our port. */
export async function prepareHub(hub: Cluster, port: number): Promise<void> {
  const docs = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: SERVER_NAMESPACE } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: SERVER_SERVICE_ACCOUNT, namespace: SERVER_NAMESPACE } },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: SERVER_SERVICE, namespace: SERVER_NAMESPACE },
      spec: { type: "ExternalName", externalName: "localhost", ports: [{ name: "https", port, protocol: "TCP" }] },
    },
  ];
  // stdin first: the namespace must exist before the Role and RoleBinding in it.
  await hub.kubectl(["apply", "-f", "-", "-f", RBAC_FILE, "-f", AGGREGATED_ROLES_FILE], {
    input: docs.map((d) => stringify(d)).join("---\n"),
    check: true,
  });
}

/** A token for our ServiceAccount, from the TokenRequest API (`kubectl create token`). */
export async function serverToken(hub: Cluster): Promise<string> {
  const created = await hub.kubectl(
    ["create", "token", SERVER_SERVICE_ACCOUNT, "-n", SERVER_NAMESPACE, "--duration=8760h"],
    { check: true },
  );
  return created.stdout.trim();
}

export function apiServiceManifest(port: number, caPem: string): object {
  return {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name: APISERVICE_NAME },
    spec: {
      group: GROUP,
      version: VERSION,
      groupPriorityMinimum: 1000,
      versionPriority: 100,
      service: { name: SERVER_SERVICE, namespace: SERVER_NAMESPACE, port },
      caBundle: Buffer.from(caPem).toString("base64"),
    },
  };
}

export async function registerApiService(hub: Cluster, port: number, caPem: string): Promise<void> {
  await hub.kubectl(["apply", "-f", "-"], { input: JSON.stringify(apiServiceManifest(port, caPem)), check: true });
}

/** Deletes the APIService (absent is fine). Do this before stopping our server: see ClusterSet.stop. */
export async function unregisterApiService(hub: Cluster): Promise<void> {
  const res = await hub.request(`/apis/apiregistration.k8s.io/v1/apiservices/${APISERVICE_NAME}`, { method: "DELETE" });
  if (res.status !== 200 && res.status !== 404) {
    throw new Error(`DELETE apiservice ${APISERVICE_NAME}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  }
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/**
 * Waits until the APIService is Available and a request through the hub's proxy reaches our server
 * (Available alone can be stale right after a restart). A timeout names the condition's reason and message.
 */
export async function waitApiServiceAvailable(
  hub: Cluster,
  opts: { timeoutMs?: number; proc?: ManagedProcess } = {},
): Promise<void> {
  await waitFor(
    async (last) => {
      const res = await hub.request(`/apis/apiregistration.k8s.io/v1/apiservices/${APISERVICE_NAME}`);
      if (res.status !== 200) {
        last.reason = `GET apiservice: HTTP ${res.status}`;
        return undefined;
      }
      const cond = res.json<{ status?: { conditions?: Condition[] } }>().status?.conditions?.find((c) => c.type === "Available");
      if (cond?.status !== "True") {
        last.reason = `Available=${cond?.status ?? "unset"} ${cond?.reason ?? ""}: ${cond?.message ?? ""}`;
        return undefined;
      }
      const proxied = await hub.request(`/apis/${GROUP}/${VERSION}`);
      if (proxied.status !== 200) {
        last.reason = `Available=True but GET /apis/${GROUP}/${VERSION} through the hub: HTTP ${proxied.status} ${proxied.body.slice(0, 200)}`;
        return undefined;
      }
      return true;
    },
    { what: `APIService ${APISERVICE_NAME} Available`, timeoutMs: opts.timeoutMs ?? 120_000, intervalMs: 250, proc: opts.proc },
  );
}
