/**
 * The read-modify-write loop behind guaranteedUpdate, shared by the backends: they differ only in how they read
 * an object and how they write it conditionally on its revision.
 */
import { StorageError, type KubeObject, type Preconditions } from "./interface.js";

export function checkPreconditions(key: string, obj: KubeObject, pre: Preconditions | undefined): void {
  if (pre === undefined) return;
  if (pre.uid !== undefined && pre.uid !== obj.metadata.uid) {
    throw new StorageError(
      "Conflict",
      key,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ""}`,
    );
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw new StorageError(
      "Conflict",
      key,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ` +
        `ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ""}`,
    );
  }
}

/** Outcome of a conditional write: stored, or lost a race (current: what is there now; undefined if gone). */
export type ConditionalWrite = { stored: KubeObject } | { current: KubeObject | undefined };

export interface UpdateIO {
  /** The current object; throws NotFound. */
  read(key: string): Promise<KubeObject>;
  /** Stores next only if the key still holds cur's revision. */
  write(key: string, next: KubeObject, cur: KubeObject): Promise<ConditionalWrite>;
}

export async function guaranteedUpdateLoop(
  io: UpdateIO,
  key: string,
  tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
  preconditions: Preconditions | undefined,
  cached: KubeObject | undefined,
): Promise<KubeObject> {
  let cur = cached ?? (await io.read(key));
  // A cached copy may be stale: any failure it leads to (precondition, tryUpdate's own conflict check, "no
  // change") is only believed after a retry on the object actually stored, as kube-apiserver does.
  let fresh = cached === undefined;
  for (;;) {
    let next: KubeObject;
    try {
      checkPreconditions(key, cur, preconditions);
      next = await tryUpdate(cur);
    } catch (err) {
      if (fresh) throw err;
      cur = await io.read(key);
      fresh = true;
      continue;
    }
    if (next === cur) {
      if (fresh) return cur;
      const stored = await io.read(key);
      if (stored.metadata.resourceVersion === cur.metadata.resourceVersion) return cur;
      cur = stored;
      fresh = true;
      continue;
    }
    const outcome = await io.write(key, next, cur);
    if ("stored" in outcome) return outcome.stored;
    if (outcome.current === undefined) throw new StorageError("NotFound", key);
    cur = outcome.current;
    fresh = true;
  }
}
