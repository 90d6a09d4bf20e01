/**
 * One pass of a Work over its member: apply every manifest (Namespaces and CRDs first), prune what the Work no
 * longer lists, or, for a Work being deleted, remove what it applied. A manifest the member refuses is reported
 * and the others still go; a member that does not answer ends the pass (MemberRequestError propagates), since
 * every other request would fail the same way.
 */
import type { KubeObject } from "../../storage/interface.js";
import { DiscoveryError } from "./discovery.js";
import {
  applyOrder,
  deleteOrder,
  identityKey,
  kindsDefinedByCRDs,
  markedManifest,
  parseManifests,
  storedIdentifiers,
  toPrune,
  type Identifier,
  type ManifestRef,
} from "../../api/works/manifests.js";
import { applyObject, deleteMarked, type MemberContext } from "./member-objects.js";
import { manifestLabel, type ManifestResult } from "../../api/works/status.js";

/** What one object looked like right after we applied it (its resourceVersion tells our own events apart). */
export interface AppliedObject {
  id: Identifier;
  resourceVersion: string;
}

export interface ApplyPass {
  manifests: ManifestResult[];
  applied: AppliedObject[];
  /** Objects pruned (or found gone, or no longer ours): forget them. */
  pruned: Identifier[];
  /** Something failed that a later pass may fix (transient or refused): retry with backoff. */
  retry: boolean;
}

const fail = (reason: string, message: string, refused: boolean) => ({ ok: false as const, reason, message, refused });

async function applyOne(ctx: MemberContext, work: KubeObject, ref: ManifestRef, crdKinds: Set<string>): Promise<{ result: ManifestResult; applied?: AppliedObject }> {
  const label = manifestLabel(ref.ordinal, ref.kind, ref.name);
  const base: Identifier = { ordinal: ref.ordinal, group: ref.group, version: ref.version, kind: ref.kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
  let served;
  try {
    served = await ctx.discovery.resolve(ref.apiVersion, ref.kind);
  } catch (e) {
    if (!(e instanceof DiscoveryError)) throw e;
    return { result: { identifier: base, label, applied: fail("DiscoveryFailed", e.message, false) } };
  }
  if (!served) {
    // A CRD of this very Work may not be served yet (it takes the member a moment): wait, do not complain.
    if (crdKinds.has(`${ref.group}/${ref.kind}`)) return { result: { identifier: base, label, applied: fail("WaitingForCRD", `kind ${ref.kind} comes from a CustomResourceDefinition of this Work that ${ctx.member} does not serve yet`, false) } };
    return { result: { identifier: base, label, applied: fail("UnknownKind", `${ctx.member} has no resource for kind ${ref.kind} in ${ref.apiVersion}`, true) } };
  }
  const namespace = served.namespaced ? ref.namespace || "default" : undefined;
  const id = { ordinal: ref.ordinal, group: ref.group, version: ref.version, kind: ref.kind, resource: served.resource, name: ref.name, ...(namespace ? { namespace } : {}) };
  const answer = await applyObject(ctx, id, markedManifest(ref, work, namespace));
  if (!answer.ok) return { result: { identifier: id, label, applied: fail(answer.reason, answer.message, answer.refused) } };
  return { result: { identifier: id, label, applied: { ok: true, live: answer.live } }, applied: { id, resourceVersion: answer.resourceVersion } };
}

/** Applies the Work's manifests and prunes what `previous` names that the Work no longer lists. */
export async function applyWork(ctx: MemberContext, work: KubeObject, previous: readonly Identifier[]): Promise<ApplyPass> {
  const { refs, bad } = parseManifests(work);
  const manifests: ManifestResult[] = bad.map((b) => ({
    identifier: { ordinal: b.ordinal, group: "", version: "", kind: b.kind, ...(b.name ? { name: b.name } : {}) },
    label: manifestLabel(b.ordinal, b.kind, b.name),
    applied: fail("InvalidManifest", b.message, true),
  }));
  const applied: AppliedObject[] = [];
  const crdKinds = kindsDefinedByCRDs(refs);
  for (const ref of applyOrder(refs)) {
    const one = await applyOne(ctx, work, ref, crdKinds);
    manifests.push(one.result);
    if (one.applied) applied.push(one.applied);
  }
  // Current objects by their resolved identity (namespace defaulted), unresolved ones as written.
  const prune = toPrune(previous, manifests.map((m) => m.identifier));
  const pruned: Identifier[] = [];
  let pruneFailed = false;
  for (const id of deleteOrder(prune)) {
    const r = await deleteMarked(ctx, id, work.metadata.uid ?? "");
    if (r.state === "failed") pruneFailed = true;
    else pruned.push(id);
  }
  return { manifests, applied, pruned, retry: pruneFailed || manifests.some((m) => !m.applied.ok) };
}

export interface CleanupPass {
  /** Everything this Work applied is gone from the member. */
  done: boolean;
  /** Some delete was refused or answered oddly (back off), rather than merely still terminating (poll). */
  failed: boolean;
  /** Why not yet (objects still terminating or refused deletes), for the log. */
  waiting: string[];
}

/** Deletes every object the Work applied (those still marked as its own) and says whether all are gone. */
export async function cleanupWork(ctx: MemberContext, work: KubeObject, known: readonly Identifier[]): Promise<CleanupPass> {
  const ids = new Map<string, Identifier>();
  for (const id of [...storedIdentifiers(work), ...known]) ids.set(identityKey(id), id);
  for (const ref of parseManifests(work).refs) {
    const served = await ctx.discovery.resolve(ref.apiVersion, ref.kind).catch((e: unknown) => {
      if (e instanceof DiscoveryError) return undefined;
      throw e;
    });
    if (!served) continue; // not served: nothing of that kind can exist to remove
    const namespace = served.namespaced ? ref.namespace || "default" : undefined;
    const id: Identifier = { ordinal: ref.ordinal, group: ref.group, version: ref.version, kind: ref.kind, resource: served.resource, name: ref.name, ...(namespace ? { namespace } : {}) };
    ids.set(identityKey(id), id);
  }
  const waiting: string[] = [];
  let failed = false;
  for (const id of deleteOrder([...ids.values()])) {
    const r = await deleteMarked(ctx, id, work.metadata.uid ?? "");
    if (r.state === "failed") failed = true;
    if (r.state !== "gone") waiting.push(`${id.kind} ${id.namespace ? `${id.namespace}/` : ""}${id.name}: ${r.state === "deleting" ? "terminating" : r.message}`);
  }
  return { done: waiting.length === 0, failed, waiting };
}
