/** Shared pieces of the `kubectl get` columns: name and age as kube-apiserver prints them for custom resources. */
import type { KubeObject } from "../storage/interface.js";
import type { ColumnDefinition, Columns } from "./rest.js";

export const nameColumn: ColumnDefinition = {
  name: "Name",
  type: "string",
  format: "name",
  description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  priority: 0,
};

export const ageColumn: ColumnDefinition = {
  name: "Age",
  type: "date",
  format: "",
  description:
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  priority: 0,
};

/** kube-apiserver's custom-resource table converter prints date columns as a human duration. */
export function age(obj: KubeObject, nowMs = Date.now()): string {
  const t = Date.parse(obj.metadata.creationTimestamp ?? "");
  if (Number.isNaN(t)) return "<unknown>";
  return humanDuration((nowMs - t) / 1000);
}

/** apimachinery's duration.HumanDuration. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 10) return s % 60 === 0 ? `${minutes}m` : `${minutes}m${s % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(s / 3600);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

export const column = (name: string, type: ColumnDefinition["type"], description: string, priority = 0): ColumnDefinition => ({
  name,
  type,
  format: "",
  description,
  priority,
});

/** The status of condition `type` in status.conditions, or "" when absent. */
export function conditionStatus(obj: KubeObject, type: string): string {
  const conditions = (obj.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions;
  return conditions?.find((c) => c.type === type)?.status ?? "";
}

/** A column spec from definitions and a cell function per column. */
export function columns(defs: [ColumnDefinition, (o: KubeObject) => unknown][]): Columns {
  return {
    definitions: defs.map(([d]) => d),
    cells: (o) => defs.map(([, f]) => f(o)),
  };
}
