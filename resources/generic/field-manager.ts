/**
 * Field ownership for one kind, as kube-apiserver's FieldManager keeps it for custom resources
 * (k8s.io/apimachinery/pkg/util/managedfields/internal and sigs.k8s.io/structured-merge-diff/merge):
 *
 *   update  a create, update or non-apply patch: the writer takes the fields it added or changed (from
 *           everyone, it always "forces"), and fields that went away leave every owner.
 *   apply   server-side apply: the configuration is merged into the live object, fields this applier set
 *           last time and omits now are removed unless someone else owns them, and changing a field another
 *           manager owns is a conflict unless forced. The applier then owns exactly what it applied.
 *
 * Fields a write cannot change are not owned through it: status through the main resource, spec and metadata
 * through /status (the strategies' reset fields). Server-set metadata (name, uid, resourceVersion, …) is never
 * owned (stripMetaManager).
 */
import type { KubeObject } from "../../storage/interface.js";
import { type FieldType } from "./field-types.js";
import { fieldPE, type Path } from "./fieldpath.js";
import { FieldSet } from "./fieldset.js";
import {
  capUpdateManagers,
  decodeLiveOrNew,
  decodeOrEmpty,
  encodeManagedFields,
  managerId,
  type Managed,
  type ManagedFieldsEntry,
  type ManagerInfo,
} from "./managed-fields.js";
import { allowedConflicts, KUBECTL, syncLastApplied } from "./last-applied.js";
import { merge, sameValue } from "./merge.js";
import { compare, ensureNamedFieldsAreMembers, removeItems, toFieldSet } from "./typed.js";

/** One path a manager owns that an apply would change. */
export interface Conflict {
  info: ManagerInfo;
  path: Path;
}

/** Thrown by apply when it would change fields other managers own (see conflicts.ts for the Status). */
export class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(`${conflicts.length} apply conflicts`);
  }
}

const meta = (...p: string[]): Path => p.map(fieldPE);

/** stripMetaManager's set: what the server sets, owned by no one. */
const STRIPPED = FieldSet.of(
  meta("apiVersion"),
  meta("kind"),
  meta("metadata"),
  ...["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion"].map((f) =>
    meta("metadata", f),
  ),
);

export interface FieldManagerOptions {
  /** `multicluster.x-k8s.io/v1alpha1`. */
  apiVersion: string;
  kind: string;
  type: FieldType;
  /** Status is a subresource: its fields are reset on main-resource writes and are all /status may change. */
  statusSubresource: boolean;
  /** The clock, for tests: RFC 3339, whole seconds. */
  now: () => string;
}

export class FieldManager {
  constructor(private readonly opts: FieldManagerOptions) {}

  /** The fields a write through `subresource` cannot change, which it therefore never owns. */
  resetFields(subresource: string | undefined): FieldSet {
    if (subresource === "status") return FieldSet.of(meta("spec"), meta("metadata"));
    return this.opts.statusSubresource ? FieldSet.of(meta("status")) : new FieldSet();
  }

  /**
   * managedFields after a create (`live` undefined) or an update to `next`, whose own metadata.managedFields
   * (what the client sent, possibly a reset) are taken into account as kube-apiserver does.
   */
  update(live: KubeObject | undefined, next: KubeObject, manager: string, subresource?: string): ManagedFieldsEntry[] {
    const managed = decodeLiveOrNew(live?.metadata.managedFields, next.metadata.managedFields, subresource !== undefined);
    // skipNonAppliedManager: an existing object without managedFields (reset, or older than field management)
    // stays untracked by updates; the next apply starts tracking it.
    if (managed.size === 0 && live?.metadata.uid) return [];
    this.track(managed, this.bare(live), this.bare(next), manager, subresource);
    return encodeManagedFields(managed);
  }

  /** An update's effect on ownership: the writer takes what it changed from everyone, what went away leaves. */
  private track(managed: Managed, live: KubeObject, next: KubeObject, manager: string, subresource: string | undefined): void {
    const reset = this.resetFields(subresource);
    const c = compare(live, next, this.opts.type);
    const changed = c.modified.union(c.added).recursiveDifference(reset);
    const removed = c.removed.recursiveDifference(reset);
    for (const [id, owned] of managed) {
      owned.set = owned.set.difference(changed).difference(removed);
      if (owned.set.isEmpty()) managed.delete(id);
    }
    const took = changed.difference(STRIPPED);
    if (!took.isEmpty()) {
      const info = this.info(manager, "Update", subresource);
      const id = managerId(info);
      const previous = managed.get(id);
      managed.set(id, { info, set: previous ? previous.set.union(took) : took, time: this.opts.now() });
    }
    capUpdateManagers(managed);
  }

  /**
   * Server-side apply of `config` (already checked: see apply-config.ts) to `live` (undefined: the object does
   * not exist yet). Returns the new object with its managedFields; throws ApplyConflicts.
   */
  apply(live: KubeObject | undefined, config: KubeObject, manager: string, force: boolean, subresource?: string): KubeObject {
    const t = this.opts.type;
    const managed = decodeOrEmpty(live?.metadata.managedFields);
    const reset = this.resetFields(subresource);
    const info = this.info(manager, "Apply", subresource);
    const id = managerId(info);
    const liveValue = this.bare(live);
    // An untracked object: what it holds is first recorded as written by "before-first-apply", so that the
    // applier conflicts with it instead of silently taking everything (skipNonAppliedManager.Apply).
    if (live && managed.size === 0) this.track(managed, this.bare(undefined), liveValue, "before-first-apply", subresource);
    const lastSet = managed.get(id)?.set;
    const previous = managed.get(id);

    // The applier now owns what it applied (server-set metadata included, until the end: pruning needs it).
    managed.set(id, { info, set: toFieldSet(config, t).recursiveDifference(reset), ...(previous?.time ? { time: previous.time } : {}) });
    let merged = merge(liveValue, config, t) as KubeObject;
    if (lastSet && !lastSet.isEmpty()) merged = this.prune(merged, managed, lastSet);

    const c = compare(liveValue, merged, t);
    const changed = c.modified.union(c.added).recursiveDifference(reset);
    const removed = c.removed.recursiveDifference(reset);
    let conflicts: Conflict[] = [];
    for (const [otherId, owned] of managed) {
      if (otherId === id) continue;
      const clash = owned.set.intersection(changed);
      for (const path of clash.paths()) conflicts.push({ info: owned.info, path });
    }
    if (conflicts.length > 0 && !force && manager === KUBECTL) {
      // Fields client-side apply set (and that still hold what it recorded) are kubectl's to take.
      const allowed = allowedConflicts(live, liveValue, this.opts, t);
      if (allowed) conflicts = conflicts.filter((c) => !allowed.has(c.path));
    }
    if (conflicts.length > 0 && !force) throw new ApplyConflicts(conflicts);
    for (const [otherId, owned] of managed) {
      if (otherId === id) continue;
      owned.set = owned.set.difference(changed).difference(removed);
      if (owned.set.isEmpty()) managed.delete(otherId);
    }
    const mine = managed.get(id)!;
    mine.set = mine.set.difference(STRIPPED);
    // Only a change to the object dates the entry (managedFieldsUpdater.Apply).
    const objectChanged = !sameValue(liveValue, merged);
    if (objectChanged) mine.time = this.opts.now();
    if (mine.set.isEmpty()) managed.delete(id);

    const result = structuredClone(objectChanged ? merged : liveValue) as KubeObject;
    result.metadata ??= {};
    const entries = encodeManagedFields(managed);
    if (entries.length > 0) result.metadata.managedFields = entries;
    if (manager === KUBECTL) syncLastApplied(result, config);
    return result;
  }

  /**
   * Updater.prune: fields the applier set last time that no one owns any more (the applier's new set
   * included) are removed, with everything below them.
   */
  private prune(merged: KubeObject, managed: Managed, lastSet: FieldSet): KubeObject {
    const t = this.opts.type;
    let all = new FieldSet();
    for (const owned of managed.values()) all = all.union(owned.set);
    const last = ensureNamedFieldsAreMembers(lastSet, t);
    const owned = ensureNamedFieldsAreMembers(all, t);
    return removeItems(merged, orphans(last, owned), t) as KubeObject;
  }

  private info(manager: string, operation: "Apply" | "Update", subresource: string | undefined): ManagerInfo {
    const info: ManagerInfo = { manager: manager || "unknown", operation, apiVersion: this.opts.apiVersion };
    if (subresource) info.subresource = subresource;
    return info;
  }

  /** The object as field management sees it: without managedFields; a missing object is its bare type. */
  private bare(obj: KubeObject | undefined): KubeObject {
    if (!obj) return { apiVersion: this.opts.apiVersion, kind: this.opts.kind, metadata: {} };
    const { managedFields: _m, ...metadata } = obj.metadata ?? {};
    return { ...obj, metadata };
  }
}

/**
 * The paths of `last` that `owned` does not cover, cut at the topmost: a path owned by no one goes with its
 * subtree; below a path still owned, the walk goes on.
 */
function orphans(last: FieldSet, owned: FieldSet | undefined): FieldSet {
  const out = new FieldSet();
  for (const pe of last.memberElements()) if (!owned?.hasMember(pe)) out.addMember(pe);
  for (const { pe, set } of last.childElements()) {
    if (out.hasMember(pe)) continue;
    const sub = orphans(set, owned?.child(pe));
    if (!sub.isEmpty()) out.addChild(pe, sub);
  }
  return out;
}
