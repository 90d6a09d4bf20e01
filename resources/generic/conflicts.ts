/**
 * The 409 an apply gets when it would change fields other managers own: apierrors.NewApplyConflict with the
 * message and causes of k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go. Its details carry only
 * causes (no name, group or kind), as upstream's do.
 */
import { StatusError } from "../errors.js";
import type { Conflict } from "./field-manager.js";
import { pathString } from "./fieldpath.js";
import { managerId, printManager } from "./managed-fields.js";

export function applyConflictError(conflicts: Conflict[]): StatusError {
  // Upstream walks a Go map (random order); ordering by manager identity keeps answers stable.
  const ordered = [...conflicts].sort((a, b) => (managerId(a.info) < managerId(b.info) ? -1 : managerId(a.info) > managerId(b.info) ? 1 : 0));
  const causes = ordered.map((c) => ({
    type: "FieldManagerConflict",
    message: `conflict with ${printManager(c.info)}`,
    field: pathString(c.path),
  }));
  return new StatusError(409, "Conflict", conflictMessage(ordered), { causes });
}

function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${printManager(c.info)}: ${pathString(c.path)}`;
  }
  const byManager = new Map<string, Conflict[]>();
  for (const c of conflicts) {
    const id = managerId(c.info);
    byManager.set(id, [...(byManager.get(id) ?? []), c]);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const group = byManager.get(id)!;
    lines.push(`conflicts with ${printManager(group[0]!.info)}:`);
    for (const c of group) lines.push(`- ${pathString(c.path)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
}
