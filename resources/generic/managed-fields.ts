/**
 * metadata.managedFields on the wire and in memory, as k8s.io/apimachinery/pkg/util/managedfields/internal
 * (managedfields.go, fieldmanager.go, conflict.go) reads and writes them: one entry per manager identity
 * (manager, operation, apiVersion for updaters, subresource), entries sorted Apply before Update, then by time,
 * manager, apiVersion and subresource.
 */
import { FieldSet } from "./fieldset.js";
import { isPlainObject } from "../../lib/objects.js";

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: "Apply" | "Update";
  apiVersion?: string;
  time?: string;
  fieldsType?: "FieldsV1";
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** Who owns a set: what BuildManagerIdentifier keeps of an entry (no time, no apiVersion for appliers). */
export interface ManagerInfo {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  subresource?: string;
}

export interface Owned {
  info: ManagerInfo;
  set: FieldSet;
  time?: string;
  /** The entry as decoded, written back unchanged while its set and time stay the same. */
  original?: ManagedFieldsEntry;
}

/** Sets by manager identity. */
export type Managed = Map<string, Owned>;

/** BuildManagerIdentifier: the JSON of the identifying fields, in ManagedFieldsEntry's field order. */
export function managerId(info: ManagerInfo): string {
  const id: Record<string, string> = {};
  if (info.manager) id.manager = info.manager;
  id.operation = info.operation;
  if (info.operation === "Update" && info.apiVersion) id.apiVersion = info.apiVersion;
  if (info.subresource) id.subresource = info.subresource;
  return JSON.stringify(id);
}

/** printManager (conflict.go): updaters are named with the apiVersion they wrote, appliers by name alone. */
export function printManager(info: ManagerInfo): string {
  const name = JSON.stringify(info.manager);
  return info.operation === "Update" ? `${name} using ${info.apiVersion}` : name;
}

export class ManagedFieldsError extends Error {}

/** DecodeManagedFields: throws ManagedFieldsError for an entry kube-apiserver would not decode. */
export function decodeManagedFields(entries: unknown): Managed {
  const managed: Managed = new Map();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new ManagedFieldsError("managedFields must be a list");
  entries.forEach((raw, i) => {
    if (!isPlainObject(raw)) throw new ManagedFieldsError(`managed fields entry ${i} is not an object`);
    const e = raw as ManagedFieldsEntry;
    if (e.operation !== "Apply" && e.operation !== "Update") throw new ManagedFieldsError("operation must be `Apply` or `Update`");
    if (typeof e.apiVersion !== "string" || e.apiVersion === "") throw new ManagedFieldsError("apiVersion must not be empty");
    if (e.fieldsType === undefined || (e.fieldsType as string) === "") throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== "FieldsV1") throw new ManagedFieldsError(`invalid fieldsType "${e.fieldsType}" in managed fields entry ${i}`);
    let set: FieldSet;
    try {
      set = e.fieldsV1 === undefined ? new FieldSet() : FieldSet.fromFieldsV1(e.fieldsV1);
    } catch (err) {
      throw new ManagedFieldsError(`error decoding set: ${(err as Error).message}`);
    }
    const info: ManagerInfo = { manager: typeof e.manager === "string" ? e.manager : "", operation: e.operation, apiVersion: e.apiVersion };
    if (typeof e.subresource === "string" && e.subresource !== "") info.subresource = e.subresource;
    const owned: Owned = { info, set, original: e };
    if (typeof e.time === "string") owned.time = e.time;
    managed.set(managerId(info), owned);
  });
  return managed;
}

/** Decodes, or nothing when the entries do not decode (emptyManagedFieldsOnErr). */
export function decodeOrEmpty(entries: unknown): Managed {
  try {
    return decodeManagedFields(entries);
  } catch {
    return new Map();
  }
}

/**
 * isResetManagedFields: a client clears managedFields by sending an empty list or a list of one empty entry.
 * An absent field is not a reset, so clients that do not know managedFields cannot drop them by accident.
 */
export function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && isPlainObject(entries[0]) && Object.keys(entries[0]).length === 0;
}

/**
 * decodeLiveOrNew: the sets an update starts from. The request's own managedFields count when they decode and
 * are not empty (clients may edit them); otherwise, and always for subresources, the stored object's do.
 */
export function decodeLiveOrNew(live: unknown, incoming: unknown, ignoreIncoming: boolean): Managed {
  if (ignoreIncoming) return decodeOrEmpty(live);
  if (isReset(incoming)) return new Map();
  try {
    const managed = decodeManagedFields(incoming);
    if (managed.size > 0) return managed;
  } catch {
    // Garbage from the client: the stored entries stand.
  }
  return decodeOrEmpty(live);
}

/** The entries to store: empty sets dropped, unchanged entries as they were, sorted as upstream sorts them. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const owned of managed.values()) {
    if (owned.set.isEmpty()) continue;
    const o = owned.original;
    if (o && o.time === owned.time && o.operation === owned.info.operation && o.apiVersion === owned.info.apiVersion && FieldSet.fromFieldsV1(o.fieldsV1 ?? {}).equals(owned.set)) {
      out.push(o);
      continue;
    }
    // Field order and omitempty as metav1.ManagedFieldsEntry marshals.
    const e: ManagedFieldsEntry = {};
    if (owned.info.manager) e.manager = owned.info.manager;
    e.operation = owned.info.operation;
    e.apiVersion = owned.info.apiVersion;
    if (owned.time) e.time = owned.time;
    e.fieldsType = "FieldsV1";
    e.fieldsV1 = owned.set.toFieldsV1();
    if (owned.info.subresource) e.subresource = owned.info.subresource;
    out.push(e);
  }
  return out.sort(compareEntries);
}

const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareEntries(p: ManagedFieldsEntry, q: ManagedFieldsEntry): number {
  return (
    cmp(p.operation ?? "", q.operation ?? "") ||
    Math.sign(seconds(p.time) - seconds(q.time)) ||
    cmp(p.manager ?? "", q.manager ?? "") ||
    cmp(p.apiVersion ?? "", q.apiVersion ?? "") ||
    cmp(p.subresource ?? "", q.subresource ?? "")
  );
}

/** capmanagers.go: at most this many Update entries; the oldest merge into one "ancient-changes" per apiVersion. */
export const maxUpdateManagers = 10;
const ancientChanges = "ancient-changes";

export function capUpdateManagers(managed: Managed): void {
  const updaters = [...managed.entries()].filter(([, o]) => o.info.operation === "Update");
  if (updaters.length <= maxUpdateManagers) return;
  updaters.sort(([ia, a], [ib, b]) => Math.sign(seconds(a.time) - seconds(b.time)) || cmp(ia, ib));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (const [id, owned] of updaters) {
    if (length <= maxUpdateManagers) break;
    const version = owned.info.apiVersion;
    const first = firstOfVersion.get(version);
    if (first === undefined) {
      firstOfVersion.set(version, id);
      continue;
    }
    const info: ManagerInfo = { manager: ancientChanges, operation: "Update", apiVersion: version };
    const bucketId = managerId(info);
    let bucket = managed.get(bucketId);
    if (!bucket) {
      // The first updater of this version becomes the bucket.
      const firstOwned = managed.get(first)!;
      managed.delete(first);
      bucket = { info, set: firstOwned.set };
      if (firstOwned.time) bucket.time = firstOwned.time;
    }
    const merged: Owned = { info, set: owned.set.union(bucket.set) };
    // The bucket takes the time of the update merged into it, which is the more recent.
    if (owned.time) merged.time = owned.time;
    managed.set(bucketId, merged);
    managed.delete(id);
    length--;
  }
}
