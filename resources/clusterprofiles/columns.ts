/** `kubectl get clusterprofiles` columns (../../docs/design.md); JOINED and PROPERTIES only with `-o wide`. */
import { age, ageColumn, column, columns, conditionStatus, nameColumn } from "../columns.js";

type Profile = {
  spec?: { displayName?: string; clusterManager?: { name?: string } };
  status?: { version?: { kubernetes?: string }; properties?: unknown[] };
};

export const clusterProfileColumns = columns([
  [nameColumn, (o) => o.metadata.name],
  [column("Display Name", "string", "The human-readable name of the cluster."), (o) => (o as Profile).spec?.displayName ?? ""],
  [column("Manager", "string", "The cluster manager that owns this profile."), (o) => (o as Profile).spec?.clusterManager?.name ?? ""],
  [column("Version", "string", "The Kubernetes version the member cluster reports."), (o) => (o as Profile).status?.version?.kubernetes ?? ""],
  [column("Healthy", "string", "Status of the ControlPlaneHealthy condition."), (o) => conditionStatus(o, "ControlPlaneHealthy")],
  [ageColumn, (o) => age(o)],
  [column("Joined", "string", "Status of the Joined condition.", 1), (o) => conditionStatus(o, "Joined")],
  [column("Properties", "integer", "How many properties the profile's status lists.", 1), (o) => (o as Profile).status?.properties?.length ?? 0],
]);
