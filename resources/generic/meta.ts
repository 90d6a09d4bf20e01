/** Object-metadata rules every resource shares: names, uids, timestamps, generation (as for custom resources). */
import { randomBytes, randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../../storage/interface.js";

/** RFC 3339 with whole seconds, as kube-apiserver writes metav1.Time. */
export const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export const newUID = (): string => randomUUID();

const nameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
const maxGeneratedBase = 58; // 63 - 5 random characters

/** `generateName` + 5 characters, the base cut so the whole stays a valid 63-character name. */
export function generateName(base: string): string {
  const bytes = randomBytes(5);
  let suffix = "";
  for (const b of bytes) suffix += nameAlphabet[b % nameAlphabet.length];
  return base.slice(0, maxGeneratedBase) + suffix;
}

/** Everything but metadata and (when it is a subresource) status: a change here bumps generation. */
export function specOf(obj: KubeObject, statusIsSubresource: boolean): Record<string, unknown> {
  const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = obj;
  return statusIsSubresource ? rest : { ...rest, status };
}

export function specChanged(a: KubeObject, b: KubeObject, statusIsSubresource: boolean): boolean {
  return !isDeepStrictEqual(specOf(a, statusIsSubresource), specOf(b, statusIsSubresource));
}

/** Equal apart from resourceVersion: such an update writes nothing, as kube-apiserver skips a no-op write. */
export function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return isDeepStrictEqual(strip(a), strip(b));
}
