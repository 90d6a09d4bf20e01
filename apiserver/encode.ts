/**
 * JSON bytes of stored objects, made once per object version. Stored objects are frozen and shared by the
 * watch cache (storage/interface.ts), so an object's identity names its content: a LIST of 10,000 objects
 * joins 10,000 cached strings instead of serializing them again, and a watch event reuses the same text.
 */
import type { KubeObject } from "../resources/rest.js";

const texts = new WeakMap<object, string>();

export function objectJSON(obj: KubeObject): string {
  if (!Object.isFrozen(obj)) return JSON.stringify(obj);
  let s = texts.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    texts.set(obj, s);
  }
  return s;
}

/** A list body `{"apiVersion","kind","metadata","items":[…]}` from cached item texts. */
export function listJSON(list: { apiVersion?: string; kind?: string; metadata: unknown; items: KubeObject[] }): Buffer {
  const head = `{"apiVersion":${JSON.stringify(list.apiVersion)},"kind":${JSON.stringify(list.kind)},"metadata":${JSON.stringify(list.metadata)},"items":[`;
  const parts: string[] = new Array(list.items.length);
  for (let i = 0; i < list.items.length; i++) parts[i] = objectJSON(list.items[i]!);
  return Buffer.from(`${head}${parts.join(",")}]}`);
}
