/**
 * ClusterProfiles as another cluster manager writes them: spec at create, then a realistic status (Kubernetes
 * version, two conditions, a handful of properties, one kubeconfig access provider with a CA) through the
 * /status subresource, as the upstream CRD's status subresource requires. Bodies are built before any timing.
 */
import { randomBytes } from "node:crypto";

export const GROUP_PATH = "/apis/multicluster.x-k8s.io/v1alpha1";
export const NAMESPACE = "bench";
export const collection = (namespace: string): string => `${GROUP_PATH}/namespaces/${namespace}/clusterprofiles`;
export const COLLECTION = collection(NAMESPACE);
/** Where the write diagnostic creates its extra profiles (so the LIST and watch workloads never see them). */
export const WRITES_NAMESPACE = "bench-writes";

export const profileName = (i: number): string => `cluster-${String(i).padStart(5, "0")}`;

/** A PEM-sized CA (an EC P-256 certificate is about 560 bytes of DER), base64 as in a kubeconfig. */
const fakeCaData = Buffer.from(
  `-----BEGIN CERTIFICATE-----\n${randomBytes(420).toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`,
).toString("base64");

const REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"];

export function createBody(i: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      apiVersion: "multicluster.x-k8s.io/v1alpha1",
      kind: "ClusterProfile",
      metadata: {
        name: profileName(i),
        labels: {
          "x-k8s.io/cluster-manager": "fleet-manager",
          "multicluster.x-k8s.io/clusterset": "bench",
          "topology.kubernetes.io/region": REGIONS[i % REGIONS.length]!,
        },
      },
      spec: { displayName: `Cluster ${i}`, clusterManager: { name: "fleet-manager" } },
    }),
  );
}

export function statusPatch(i: number, now = new Date("2025-01-01T00:00:00Z")): Buffer {
  const t = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  return Buffer.from(
    JSON.stringify({
      status: {
        version: { kubernetes: `v1.30.${i % 10}` },
        conditions: [
          { type: "ControlPlaneHealthy", status: "True", reason: "Healthy", message: "readyz answered ok", lastTransitionTime: t, observedGeneration: 1 },
          { type: "Joined", status: "True", reason: "Joined", message: "member reached", lastTransitionTime: t, observedGeneration: 1 },
        ],
        properties: [
          { name: "clusterset.dev/node-count", value: String(3 + (i % 50)), lastObservedTime: t },
          { name: "clusterset.dev/cpu-capacity", value: String(8 * (3 + (i % 50))), lastObservedTime: t },
          { name: "clusterset.dev/memory-capacity", value: `${32 * (3 + (i % 50))}Gi`, lastObservedTime: t },
          { name: "clusterset.dev/cpu-allocatable", value: `${7800 * (3 + (i % 50))}m`, lastObservedTime: t },
          { name: "clusterset.dev/memory-allocatable", value: `${30 * (3 + (i % 50))}Gi`, lastObservedTime: t },
          { name: "topology.kubernetes.io/region", value: REGIONS[i % REGIONS.length]!, lastObservedTime: t },
        ],
        accessProviders: [
          {
            name: "kubeconfig",
            cluster: { server: `https://10.${(i >> 8) & 255}.${i & 255}.10:6443`, "certificate-authority-data": fakeCaData },
          },
        ],
      },
    }),
  );
}

export const namespaceBody = (name = NAMESPACE): Buffer => Buffer.from(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name } }));
