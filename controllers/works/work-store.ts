/**
 * The dispatcher's writes to stored Works (never through the REST strategy, which refuses status writes from
 * users): the cleanup finalizer, the computed status, and removal once the finalizer is dropped from a
 * terminating Work, as the registry's update path does it (the last finalizer gone: the object goes). Each
 * write happens only when content changes, and only to the Work with the uid that was synced.
 */
import { StorageError, type KubeObject, type Store } from "../../storage/interface.js";
import { WORK_FINALIZER } from "../../api/works/manifests.js";
import { sameStatus, type WorkStatus } from "../../api/works/status.js";

export const storeKey = (workKey: string) => `/works/${workKey}`;

const notFound = (e: unknown) => e instanceof StorageError && e.code === "NotFound";

/** guaranteedUpdate that treats a Work gone meanwhile as nothing to do. */
async function update(store: Store, key: string, uid: string, fn: (cur: KubeObject) => KubeObject): Promise<KubeObject | undefined> {
  try {
    return await store.guaranteedUpdate(storeKey(key), (cur) => (cur.metadata.uid === uid ? fn(cur) : cur));
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

/** Adds the cleanup finalizer to a live Work that lacks it (created before it existed, or a user removed it). */
export async function ensureFinalizer(store: Store, key: string, uid: string): Promise<void> {
  await update(store, key, uid, (cur) => {
    const fin = cur.metadata.finalizers ?? [];
    if (cur.metadata.deletionTimestamp || fin.includes(WORK_FINALIZER)) return cur;
    return { ...cur, metadata: { ...cur.metadata, finalizers: [...fin, WORK_FINALIZER] } };
  });
}

/**
 * Writes the status `compute` derives from the stored Work (whose status holds the transition times to keep),
 * unless it is what is stored already. Returns whether a write happened.
 */
export async function writeStatus(store: Store, key: string, uid: string, compute: (cur: KubeObject) => WorkStatus): Promise<boolean> {
  let wrote = false;
  await update(store, key, uid, (cur) => {
    const next = compute(cur);
    wrote = !sameStatus(next, cur.status);
    return wrote ? { ...cur, status: next } : cur;
  });
  return wrote;
}

/** Drops the cleanup finalizer; a terminating Work left with no finalizer is deleted (watchers see DELETED). */
export async function dropFinalizer(store: Store, key: string, uid: string): Promise<void> {
  const after = await update(store, key, uid, (cur) => {
    const fin = cur.metadata.finalizers ?? [];
    if (!fin.includes(WORK_FINALIZER)) return cur;
    const metadata = { ...cur.metadata, finalizers: fin.filter((f) => f !== WORK_FINALIZER) };
    if (metadata.finalizers.length === 0) delete (metadata as { finalizers?: string[] }).finalizers;
    return { ...cur, metadata };
  });
  if (!after || !after.metadata.deletionTimestamp || (after.metadata.finalizers ?? []).length > 0) return;
  await store.delete(storeKey(key), { uid }).catch((e: unknown) => {
    if (!notFound(e)) throw e;
  });
}
