/**
 * What an update keeps from the stored object whatever the client sends (BeforeUpdate and the strategies'
 * PrepareForUpdate for custom resources), and the preconditions of a delete.
 */
import type { KubeObject } from "../../storage/interface.js";
import { conflict, type GroupResource } from "../errors.js";
import type { DeleteOptions } from "../rest.js";

/**
 * The new object as stored: what the client may change, on top of what only the server sets. managedFields
 * are the incoming object's in every case: field management has set (or will set) them.
 */
export function keepSystemFields(incoming: KubeObject, current: KubeObject, subresource: string | undefined, statusSubresource: boolean): KubeObject {
  const cm = current.metadata;
  if (subresource === "status") {
    // /status changes status alone; metadata (but managedFields) and spec stay as stored.
    const out: KubeObject = { ...current, status: incoming.status, metadata: withManagedFields({ ...cm }, incoming.metadata.managedFields) };
    if (incoming.status === undefined) delete out.status;
    return out;
  }
  const obj: KubeObject = { ...incoming, metadata: { ...incoming.metadata } };
  const m = obj.metadata;
  m.uid = cm.uid;
  m.creationTimestamp = cm.creationTimestamp;
  m.generation = cm.generation;
  m.namespace = cm.namespace;
  m.resourceVersion = cm.resourceVersion;
  if (cm.deletionTimestamp) {
    m.deletionTimestamp = cm.deletionTimestamp;
    m.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  if (statusSubresource) {
    if (current.status === undefined) delete obj.status;
    else obj.status = current.status;
  }
  return obj;
}

/** Sets managedFields, leaving the key out when there are none (so unchanged objects compare equal). */
export function withManagedFields<M extends KubeObject["metadata"]>(m: M, entries: unknown[] | undefined): M {
  if (entries && entries.length > 0) m.managedFields = entries;
  else delete m.managedFields;
  return m;
}

/** Delete preconditions, worded as rest.BeforeDelete words them (naming the Kind, not the resource). */
export function checkPreconditions(gk: GroupResource, obj: KubeObject, opts: DeleteOptions): void {
  const p = opts.preconditions;
  const name = obj.metadata.name ?? "";
  if (p?.uid && p.uid !== obj.metadata.uid) {
    throw conflict(gk, name, `the UID in the precondition (${p.uid}) does not match the UID in record (${obj.metadata.uid}). The object might have been deleted and then recreated`);
  }
  if (p?.resourceVersion && p.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(gk, name, `the ResourceVersion in the precondition (${p.resourceVersion}) does not match the ResourceVersion in record (${obj.metadata.resourceVersion}). The object might have been modified`);
  }
}
