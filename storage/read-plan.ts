/**
 * ListOptions and WatchOptions reduced to what a store must do, so every store reads the resourceVersion rules of
 * API-NOTES §5 the same way. resourceVersion strings are validated by the HTTP layer; here a string that is not a
 * decimal revision is a programming error.
 */
import type { KubeObject, ListOptions, WatchOptions } from "./interface.js";
import { decodeContinue } from "./continue-token.js";

export type ListPlan =
  /** The newest state (a consistent read: every write acknowledged before is in it). */
  | { mode: "latest" }
  /** Whatever state is at hand (resourceVersion "0"). */
  | { mode: "any" }
  /** A state at revision >= revision. */
  | { mode: "atLeast"; revision: number }
  /** The state at exactly revision (continue tokens included), from startKey on. */
  | { mode: "exact"; revision: number };

export interface ListRequest {
  plan: ListPlan;
  prefix: string;
  startKey: string;
  limit: number;
  predicate?: (obj: KubeObject) => boolean;
}

export function parseRevision(rv: string): number {
  const n = Number(rv);
  if (!/^\d+$/.test(rv) || !Number.isSafeInteger(n)) throw new Error(`invalid resourceVersion ${JSON.stringify(rv)}`);
  return n;
}

export function planList(prefix: string, opts: ListOptions | undefined): ListRequest {
  const limit = opts?.limit !== undefined && opts.limit > 0 ? Math.floor(opts.limit) : 0;
  const base = { prefix, limit, ...(opts?.predicate !== undefined ? { predicate: opts.predicate } : {}) };
  if (opts?.continue !== undefined && opts.continue !== "") {
    // A continue token pins the revision of the first page; resourceVersion must then be empty (checked by HTTP).
    // A token with a negative revision (kube-apiserver's, for a list whose first page was not pinned) reads the
    // newest state from its start key.
    const point = decodeContinue(prefix, opts.continue);
    const plan: ListPlan = point.revision === undefined ? { mode: "latest" } : { mode: "exact", revision: point.revision };
    return { ...base, plan, startKey: point.startKey };
  }
  const rv = opts?.resourceVersion ?? "";
  let plan: ListPlan;
  if (rv === "") plan = { mode: "latest" };
  else if (rv === "0") plan = { mode: "any" };
  else if (opts?.resourceVersionMatch === "Exact") plan = { mode: "exact", revision: parseRevision(rv) };
  else plan = { mode: "atLeast", revision: parseRevision(rv) };
  return { ...base, plan, startKey: prefix };
}

export interface WatchPlan {
  /** Start with ADDED events for the current state (then, if endMarker, the initial-events-end BOOKMARK). */
  initial: boolean;
  endMarker: boolean;
  /** Initial state / start point must be a consistent read (resourceVersion unset or ""). */
  consistent: boolean;
  /** With initial: the state must be at least this revision. Without: send changes after this revision. */
  revision?: number;
}

export function planWatch(opts: WatchOptions | undefined): WatchPlan {
  const rv = opts?.resourceVersion ?? "";
  const send = opts?.sendInitialEvents;
  const endMarker = send === true;
  if (rv === "" || rv === "0") return { initial: send ?? true, endMarker, consistent: rv === "" };
  return { initial: send ?? false, endMarker, consistent: false, revision: parseRevision(rv) };
}
