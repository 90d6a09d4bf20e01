/** `kubectl get works` columns (../../docs/design.md). */
import { workClusterLabel } from "../../api/works/manifests.js";
import { age, ageColumn, column, columns, conditionStatus, nameColumn } from "../columns.js";


export const workColumns = columns([
  [nameColumn, (o) => o.metadata.name],
  [column("Cluster", "string", "The member cluster the Work targets (label clusterset.dev/cluster)."), (o) => o.metadata.labels?.[workClusterLabel] ?? ""],
  [column("Manifests", "integer", "How many manifests the Work carries."), (o) => (o as { spec?: { workload?: { manifests?: unknown[] } } }).spec?.workload?.manifests?.length ?? 0],
  [column("Applied", "string", "Status of the Applied condition."), (o) => conditionStatus(o, "Applied")],
  [column("Available", "string", "Status of the Available condition."), (o) => conditionStatus(o, "Available")],
  [ageColumn, (o) => age(o)],
]);
