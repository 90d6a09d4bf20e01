/** `kubectl get placementdecisions` columns (../../docs/design.md). */
import { age, ageColumn, column, columns, nameColumn } from "../columns.js";

type Decision = { schedulerName?: string; decisions?: unknown[] };

export const placementDecisionColumns = columns([
  [nameColumn, (o) => o.metadata.name],
  [column("Scheduler", "string", "The scheduler that wrote the decision."), (o) => (o as Decision).schedulerName ?? ""],
  [column("Decisions", "integer", "How many clusters the decision lists."), (o) => (o as Decision).decisions?.length ?? 0],
  [ageColumn, (o) => age(o)],
]);
