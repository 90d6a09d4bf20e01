/**
 * `kubectl clusterset status`: one line per member profile — health and since when, version, node count, and its
 * Works applied / failed — from the hub's ClusterProfiles and Works (pure: objects in, text out).
 */
import { NODE_COUNT_PROPERTY, type ProfileLike, type WorkLike } from "./objects.js";
import { workClusterLabel } from "../api/works/manifests.js";

export interface MemberStatus {
  namespace: string;
  name: string;
  healthy: string;
  since: string;
  version: string;
  nodes: string;
  applied: number;
  failed: number;
}

const cond = (o: { status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } }, type: string) =>
  o.status?.conditions?.find((c) => c.type === type);

/** Joined members' profiles (ours or any manager's), each with the Works that name it. */
export function memberStatuses(profiles: readonly ProfileLike[], works: readonly WorkLike[]): MemberStatus[] {
  return profiles
    .map((p) => {
      const ns = p.metadata.namespace ?? "";
      const mine = works.filter((w) => (w.metadata.namespace ?? "") === ns && w.metadata.labels?.[workClusterLabel] === p.metadata.name);
      const health = cond(p, "ControlPlaneHealthy");
      return {
        namespace: ns,
        name: p.metadata.name ?? "",
        healthy: health?.status ?? "Unknown",
        since: health?.lastTransitionTime ?? "",
        version: p.status?.version?.kubernetes ?? "",
        nodes: p.status?.properties?.find((x) => x.name === NODE_COUNT_PROPERTY)?.value ?? "",
        applied: mine.filter((w) => cond(w, "Applied")?.status === "True").length,
        failed: mine.filter((w) => cond(w, "Applied")?.status === "False").length,
      };
    })
    .sort((a, b) => (a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace)));
}

/** kubectl's plain table layout: upper-case headers, columns three spaces apart, "<none>" for an empty list. */
export function formatTable(rows: readonly MemberStatus[], now: Date): string {
  if (rows.length === 0) return "No members found.\n";
  const table = [["NAMESPACE", "NAME", "HEALTHY", "SINCE", "VERSION", "NODES", "WORKS APPLIED", "WORKS FAILED"]];
  for (const r of rows) table.push([r.namespace, r.name, r.healthy, r.since ? `${r.since} (${ago(r.since, now)})` : "", r.version, r.nodes, String(r.applied), String(r.failed)]);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]! + 3))).join("").trimEnd()).join("\n") + "\n";
}

/** kubectl's short duration: 45s, 12m, 5h, 3d. */
export function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
