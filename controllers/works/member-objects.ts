/**
 * One object on one member, as the dispatcher touches it: applied with server-side apply (field manager
 * `clusterset-apiserver`, force), or deleted only when it carries the Work's mark. Every write first asks the
 * elector whether this replica still leads (../../docs/design.md "Leading": a leader checks that it still holds the lease before
 * each write to a member).
 */
import type { MemberDiscovery } from "./discovery.js";
import { resourcePath } from "./discovery.js";
import { FIELD_MANAGER, markedBy, type Identifier } from "../../api/works/manifests.js";
import { statusMessage, type MemberAnswer, type MemberHttp } from "../../members/member-http.js";

export interface MemberContext {
  /** "<namespace>/<profile>" */
  member: string;
  client: MemberHttp;
  discovery: MemberDiscovery;
  /** Whether this replica still holds the lease; asked before each write. */
  confirm(): Promise<boolean>;
}

/** This replica no longer leads: stop writing to members at once. */
export class NotLeaderError extends Error {
  override name = "NotLeaderError";
}

/** The member as a whole cannot be written to (credentials refused): every manifest would fail the same way. */
export class MemberRefusedError extends Error {
  override name = "MemberRefusedError";
}

export type ApplyAnswer = { ok: true; live: unknown; resourceVersion: string } | { ok: false; refused: boolean; reason: string; message: string };

const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/** How a non-2xx answer reads as a manifest condition: refused (the member says no) or transient. */
export function classify(a: MemberAnswer, what: string): Exclude<ApplyAnswer, { ok: true }> {
  if (a.status === 401) throw new MemberRefusedError(`the member refused the kubeconfig's credentials (HTTP 401) while ${what}`);
  const said = statusMessage(a);
  const statusReason = (a.body as { reason?: unknown } | undefined)?.reason;
  if (a.status === 429 || a.status >= 500 || a.status === 0) return { ok: false, refused: false, reason: "ApplyFailed", message: `the member could not take it now (HTTP ${a.status}): ${said}` };
  const reason = typeof statusReason === "string" && REASON.test(statusReason) ? statusReason : "Refused";
  return { ok: false, refused: true, reason, message: `the member refused it (HTTP ${a.status} ${reason}): ${said}` };
}

async function leading(ctx: MemberContext): Promise<void> {
  if (!(await ctx.confirm())) throw new NotLeaderError("this replica no longer holds the lease");
}

/** Server-side apply of one marked manifest to the object `id` names. */
export async function applyObject(ctx: MemberContext, id: Required<Pick<Identifier, "group" | "version" | "resource" | "name">> & Identifier, body: unknown): Promise<ApplyAnswer> {
  await leading(ctx);
  const path = `${resourcePath(id)}?fieldManager=${FIELD_MANAGER}&force=true`;
  const a = await ctx.client.request("PATCH", path, body, "application/apply-patch+yaml");
  if (a.status >= 200 && a.status < 300) {
    const rv = (a.body as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
    return { ok: true, live: a.body, resourceVersion: typeof rv === "string" ? rv : "" };
  }
  return classify(a, `applying ${id.kind} ${id.name}`);
}

export type DeleteState = "gone" | "deleting" | "failed";

/**
 * Deletes the object `id` names if it carries this Work's mark. "gone": absent, or not ours (someone else's
 * now: left alone). "deleting": a delete is under way. "failed": the member refused or answered oddly.
 */
export async function deleteMarked(ctx: MemberContext, id: Identifier, uid: string): Promise<{ state: DeleteState; message?: string }> {
  if (!id.resource || !id.name) return { state: "gone" };
  const path = resourcePath({ group: id.group, version: id.version, resource: id.resource, ...(id.namespace ? { namespace: id.namespace } : {}), name: id.name });
  const got = await ctx.client.request("GET", path);
  if (got.status === 404) return { state: "gone" };
  if (got.status < 200 || got.status > 299) return { state: "failed", message: classify(got, `reading ${id.kind} ${id.name}`).message };
  if (!markedBy(got.body, uid)) return { state: "gone" };
  const md = (got.body as { metadata?: { uid?: string; deletionTimestamp?: string } }).metadata ?? {};
  if (md.deletionTimestamp) return { state: "deleting" };
  await leading(ctx);
  const del = await ctx.client.request("DELETE", path, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background", ...(md.uid ? { preconditions: { uid: md.uid } } : {}) });
  if (del.status === 404) return { state: "gone" };
  // 409: the uid precondition failed, so the object was replaced meanwhile; the next pass looks again.
  if (del.status >= 200 && del.status < 300) {
    // A Status answer, or the last state without deletionTimestamp: gone now. Else finalizers (a Namespace's
    // spec.finalizers included) are still at work.
    const after = (del.body as { metadata?: { deletionTimestamp?: string } } | undefined)?.metadata;
    return { state: after?.deletionTimestamp ? "deleting" : "gone" };
  }
  return { state: "failed", message: classify(del, `deleting ${id.kind} ${id.name}`).message };
}

export type { MemberDiscovery };
