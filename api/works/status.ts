/**
 * A Work's status from what its last sync found on the member (pure). Per manifest: `Applied` and `Available`;
 * for the Work: `Applied`, `Available`, `Degraded` (../../docs/design.md "Works"). Recomputing the same findings yields the
 * same object, so the dispatcher writes only real changes: a condition's lastTransitionTime moves only when
 * its status does, and messages carry no timestamps or counters that drift.
 */
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../../storage/interface.js";
import { workClusterLabel } from "./manifests.js";
import type { Identifier } from "./manifests.js";
import { isPlainObject } from "../../lib/objects.js";

export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration: number;
}

export interface ManifestCondition {
  identifier: Identifier;
  conditions: Condition[];
}

export interface WorkStatus {
  conditions: Condition[];
  manifestConditions?: ManifestCondition[];
}

interface State {
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** One manifest after a sync: applied (with the member's object as the apply answered), or why not. */
export interface ManifestResult {
  identifier: Identifier;
  /** "manifest 2 (ConfigMap settings)": how messages name it. */
  label: string;
  applied: { ok: true; live: unknown } | { ok: false; reason: string; message: string; refused: boolean };
}

export type SyncOutcome =
  | { state: "ClusterNotFound"; member: string }
  | { state: "ClusterUnreachable"; member: string; message: string }
  | { state: "Synced"; manifests: ManifestResult[] };

const MAX_MESSAGE = 32768;
const LISTED = 5;
type Obj = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const clip = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 3)}...` : s);
const short = (s: string) => (s.length > 1024 ? `${s.slice(0, 1021)}...` : s);
export const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export function manifestLabel(ordinal: number, kind: string, name: string): string {
  return `manifest ${ordinal} (${kind || "<no kind>"} ${name || "<no name>"})`;
}

/**
 * Whether a member object is available: a Deployment by its replicas, anything with an `Available` or `Ready`
 * condition by that, everything else by existing.
 */
export function availability(live: unknown): State {
  const obj = isPlainObject(live) ? live : {};
  const md = isPlainObject(obj.metadata) ? obj.metadata : {};
  const status = isPlainObject(obj.status) ? obj.status : {};
  const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  if (obj.kind === "Deployment" && apiVersion.startsWith("apps/")) {
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    const desired = num(spec.replicas) ?? 1;
    const available = num(status.availableReplicas) ?? 0;
    const observed = num(status.observedGeneration);
    const generation = num(md.generation);
    if (observed !== undefined && generation !== undefined && observed < generation) {
      return { status: "False", reason: "StatusNotObserved", message: `the Deployment controller has not observed generation ${generation} yet (observed ${observed})` };
    }
    const ok = available >= desired && (desired === 0 || available >= 1);
    const counted = `${available} of ${desired} replicas available`;
    if (ok) return { status: "True", reason: "ReplicasAvailable", message: counted };
    // Why not, in the Deployment controller's own words when it has said: a Pod it could not create, a rollout
    // past its deadline, or too few available Pods (MinimumReplicasUnavailable: e.g. Pods no Node can take).
    const said = deploymentTrouble(Array.isArray(status.conditions) ? status.conditions.filter(isPlainObject) : []);
    if (said) return { status: "False", reason: said.reason, message: clip(`${counted}; the Deployment says ${said.reason}${said.message ? `: ${said.message}` : ""}`) };
    return { status: "False", reason: "ReplicasUnavailable", message: counted };
  }
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isPlainObject) : [];
  for (const type of ["Available", "Ready"]) {
    const c = conditions.find((x) => x.type === type);
    if (!c) continue;
    const s: ConditionStatus = c.status === "True" || c.status === "False" ? c.status : "Unknown";
    const said = typeof c.message === "string" && c.message ? `: ${c.message}` : "";
    return { status: s, reason: s === "True" ? type : s === "False" ? `Not${type}` : `${type}Unknown`, message: clip(`condition ${type} is ${s}${said}`) };
  }
  return { status: "True", reason: "Exists", message: "the object exists on the member" };
}

/** The Deployment controller's condition that says why Pods are missing: ReplicaFailure True, Progressing or Available False. */
function deploymentTrouble(conditions: readonly Obj[]): { reason: string; message: string } | undefined {
  const trouble = [["ReplicaFailure", "True"], ["Progressing", "False"], ["Available", "False"]]
    .map(([type, status]) => conditions.find((c) => c.type === type && c.status === status))
    .find((c) => c && typeof c.reason === "string" && c.reason);
  return trouble ? { reason: trouble.reason as string, message: typeof trouble.message === "string" ? trouble.message : "" } : undefined;
}

function condition(type: string, s: State, stored: readonly Condition[] | undefined, generation: number, now: string): Condition {
  const before = stored?.find((c) => c.type === type);
  const lastTransitionTime = before && before.status === s.status ? before.lastTransitionTime : now;
  return { type, status: s.status, reason: s.reason, message: clip(s.message), lastTransitionTime, observedGeneration: generation };
}

/** "manifest 1 (X a): why; manifest 3 (Y b): why" (the first few, then how many more). */
function listing(results: readonly ManifestResult[]): string {
  // Each cause clipped, so one long answer (a member's full validation report) cannot hide the others.
  const parts = results.slice(0, LISTED).map((r) => `${r.label}: ${r.applied.ok ? "" : short(r.applied.message)}`);
  if (results.length > LISTED) parts.push(`and ${results.length - LISTED} more`);
  return parts.join("; ");
}

function overall(results: readonly ManifestResult[], member: string): { applied: State; available: State; degraded: State } {
  const failed = results.filter((r) => !r.applied.ok);
  const refused = failed.filter((r) => !r.applied.ok && r.applied.refused);
  const unavailable = results.filter((r) => r.applied.ok && availability(r.applied.live).status !== "True");
  const n = results.length;
  const applied: State = failed.length
    ? { status: "False", reason: refused.length === failed.length ? "ManifestRefused" : "ApplyFailed", message: `${failed.length} of ${n} manifests not applied to ${member}: ${listing(failed)}` }
    : { status: "True", reason: "Applied", message: `${n} of ${n} manifests applied to ${member}` };
  let available: State;
  if (unavailable.length) {
    const why = unavailable.slice(0, LISTED).map((r) => `${r.label}: ${availability(r.applied.ok ? r.applied.live : undefined).message}`);
    if (unavailable.length > LISTED) why.push(`and ${unavailable.length - LISTED} more`);
    available = { status: "False", reason: "NotAvailable", message: `${unavailable.length} of ${n} manifests not available: ${why.join("; ")}` };
  } else if (failed.length) available = { status: "Unknown", reason: "NotApplied", message: `${failed.length} of ${n} manifests not applied` };
  else available = { status: "True", reason: "Available", message: `${n} of ${n} manifests available` };
  const degraded: State = refused.length
    ? { status: "True", reason: "ManifestRefused", message: `${member} refused ${refused.length} of ${n} manifests: ${listing(refused)}` }
    : { status: "False", reason: "NoneRefused", message: `${member} accepted every manifest` };
  return { applied, available, degraded };
}

function manifestConditions(results: readonly ManifestResult[], stored: WorkStatus | undefined, generation: number, now: string): ManifestCondition[] {
  return [...results]
    .sort((a, b) => a.identifier.ordinal - b.identifier.ordinal)
    .map((r) => {
      const before = stored?.manifestConditions?.find((m) => m.identifier.ordinal === r.identifier.ordinal)?.conditions;
      const a = r.applied;
      const applied: State = a.ok ? { status: "True", reason: "Applied", message: "applied with server-side apply" } : { status: "False", reason: a.reason, message: a.message };
      const available: State = a.ok ? availability(a.live) : { status: "Unknown", reason: "NotApplied", message: "not applied" };
      // The identifier's ordinal ties a condition to its manifest; a recomputed identical one keeps its times.
      return { identifier: r.identifier, conditions: [condition("Applied", applied, before, generation, now), condition("Available", available, before, generation, now)] };
    });
}

/** The Work's status after a sync with this outcome; `work` holds the generation synced and the stored status. */
export function workStatus(work: KubeObject, outcome: SyncOutcome, now: Date): WorkStatus {
  const stored = isPlainObject(work.status) ? (work.status as unknown as WorkStatus) : undefined;
  const generation = work.metadata.generation ?? 0;
  const t = rfc3339(now);
  const cond = (type: string, s: State) => condition(type, s, stored?.conditions, generation, t);
  if (outcome.state !== "Synced") {
    let applied: State;
    let why: State;
    if (outcome.state === "ClusterNotFound") {
      const message = `no member ${outcome.member}: its ClusterProfile does not exist (the member has not joined yet)`;
      applied = { status: "False", reason: "ClusterNotFound", message };
      why = { status: "Unknown", reason: "ClusterNotFound", message };
    } else {
      // What was applied at this generation may still be there: Unknown. A newer spec surely is not: False.
      const before = stored?.conditions?.find((c) => c.type === "Applied");
      const mayBeThere = before && before.status !== "False" && before.observedGeneration === generation;
      applied = { status: mayBeThere ? "Unknown" : "False", reason: "ClusterUnreachable", message: outcome.message };
      why = { status: "Unknown", reason: "ClusterUnreachable", message: outcome.message };
    }
    const conditions = [cond("Applied", applied), cond("Available", why), cond("Degraded", why)];
    // What the last reachable sync found stays: it is the best knowledge there is.
    return stored?.manifestConditions ? { conditions, manifestConditions: stored.manifestConditions } : { conditions };
  }
  const member = work.metadata.labels?.[workClusterLabel] ?? "the member";
  const o = overall(outcome.manifests, member);
  const conditions = [cond("Applied", o.applied), cond("Available", o.available), cond("Degraded", o.degraded)];
  return { conditions, manifestConditions: manifestConditions(outcome.manifests, stored, generation, t) };
}

export const sameStatus = (a: unknown, b: unknown) => isDeepStrictEqual(a ?? null, b ?? null);
