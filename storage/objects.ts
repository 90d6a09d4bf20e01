/**
 * Stored objects are deep-frozen and shared (see interface.ts). These helpers make the private copy a store keeps
 * and the cheap shallow variants (same object at another resourceVersion) that events need.
 */
import type { KubeObject } from "./interface.js";
import { deepFreeze } from "../lib/objects.js";


/**
 * JSON of obj without metadata.resourceVersion: the revision is kept beside the value (level) or given by the
 * backend (etcd mod_revision), so it is never stale inside the stored bytes.
 */
export function encodeBody(obj: KubeObject): string {
  const { resourceVersion: _ignored, ...metadata } = obj.metadata ?? {};
  return JSON.stringify({ ...obj, metadata });
}

/** Parses a body written by encodeBody and stamps the revision: a fresh, private, frozen object. */
export function decodeBody(json: string, revision: number): KubeObject {
  const obj = JSON.parse(json) as KubeObject;
  if (obj === null || typeof obj !== "object") throw new Error("stored value is not an object");
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(revision);
  return deepFreeze(obj);
}

/**
 * The same object at another revision, e.g. the last state of a deleted object stamped with the delete's
 * revision. Shallow: only the top level and metadata are new; everything below stays shared.
 */
export function withRevision(obj: KubeObject, revision: number): KubeObject {
  const rv = String(revision);
  if (obj.metadata.resourceVersion === rv) return obj;
  return Object.freeze({ ...obj, metadata: Object.freeze({ ...obj.metadata, resourceVersion: rv }) });
}

export function revisionOf(obj: KubeObject): number {
  const rv = obj.metadata?.resourceVersion;
  const n = rv === undefined ? NaN : Number(rv);
  return Number.isSafeInteger(n) ? n : 0;
}
