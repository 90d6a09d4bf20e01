/**
 * What a Work's Events say after an apply pass (pure): applied (when every manifest is, and was not before), a
 * manifest the member refused (with the member's words, when that is news), and drift reverted (an object someone
 * else changed or deleted on the member, applied again). `told` is what earlier passes said; it is updated.
 */
import { identityKey } from "../../api/works/manifests.js";
import type { ApplyPass } from "./work-apply.js";

export interface WorkTold {
  allApplied: boolean;
  /** Refused manifests by label, with the message told. */
  refused: Map<string, string>;
  /** identityKeys of applied objects changed on the member by someone else since the last pass. */
  drifted: Set<string>;
}

export const emptyTold = (): WorkTold => ({ allApplied: false, refused: new Map(), drifted: new Set() });

export interface WorkEvent {
  type: "Normal" | "Warning";
  reason: string;
  note: string;
}

/** The identityKey of a member object as a watch event carries it. */
export function driftKey(obj: unknown): string {
  const o = obj as { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } };
  const av = o.apiVersion ?? "";
  const group = av.includes("/") ? av.slice(0, av.indexOf("/")) : "";
  return identityKey({ group, kind: o.kind ?? "", ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}), ...(o.metadata?.name ? { name: o.metadata.name } : {}) });
}

export function workEvents(member: string, pass: Pick<ApplyPass, "manifests" | "applied">, told: WorkTold): WorkEvent[] {
  const out: WorkEvent[] = [];
  const refused = new Map<string, string>();
  for (const m of pass.manifests) {
    if (m.applied.ok || !m.applied.refused) continue;
    refused.set(m.label, m.applied.message);
    if (told.refused.get(m.label) !== m.applied.message) out.push({ type: "Warning", reason: "ManifestRefused", note: `${member} refused ${m.label}: ${m.applied.message}` });
  }
  told.refused = refused;
  for (const a of pass.applied) {
    if (!told.drifted.has(identityKey(a.id))) continue;
    const where = a.id.namespace ? `${a.id.namespace}/${a.id.name}` : a.id.name;
    out.push({ type: "Normal", reason: "DriftReverted", note: `${a.id.kind} ${where} was changed on ${member} by someone else; applied again` });
  }
  told.drifted.clear();
  const all = pass.manifests.length > 0 && pass.manifests.every((m) => m.applied.ok);
  if (all && !told.allApplied) out.push({ type: "Normal", reason: "Applied", note: `all ${pass.manifests.length} manifest(s) applied to ${member}` });
  told.allApplied = all;
  return out;
}
