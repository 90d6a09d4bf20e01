/**
 * The x-kubernetes-validations (CEL) rules of our CRDs that we enforce by hand. There is no CEL engine here:
 * the only rule the served CRDs carry is the transition rule `self == oldSelf` (ClusterProfile
 * spec.clusterManager, "ClusterManager is immutable"), which needs no evaluator. Any other rule is reported by
 * `unenforcedRules` so a CRD refresh that adds one does not go unnoticed.
 */
import { child, index } from "./field-path.js";
import type { FieldCause } from "./field-errors.js";
import type { JSONSchemaProps, ValidationRule } from "./types.js";
import { isPlainObject } from "../../lib/objects.js";

const IMMUTABLE = /^\s*self\s*==\s*oldSelf\s*$/;

function isImmutableRule(r: ValidationRule): boolean {
  return IMMUTABLE.test(r.rule);
}

/** Checks the transition rules of `schema` between an update's new and old objects. */
export function validateTransitionRules(obj: unknown, old: unknown, schema: JSONSchemaProps): FieldCause[] {
  const causes: FieldCause[] = [];
  walk(obj, old, schema, "", causes);
  return causes;
}

function walk(x: unknown, old: unknown, s: JSONSchemaProps, path: string, causes: FieldCause[]): void {
  // Transition rules apply only where an old value correlates with the new one.
  if (x === undefined || old === undefined) return;
  for (const r of s["x-kubernetes-validations"] ?? []) {
    if (isImmutableRule(r) && !deepEqual(x, old)) {
      const p = r.fieldPath ? joinFieldPath(path, r.fieldPath) : path;
      // kube-apiserver ≥ 1.3x omits the bad value of a failed rule (1.2x printed the schema type: `"object"`).
      causes.push({ type: "FieldValueInvalid", field: p, message: `Invalid value: ${r.message ?? `failed rule: ${r.rule}`}` });
    }
  }
  if (isPlainObject(x) && isPlainObject(old)) {
    for (const [k, fs] of Object.entries(s.properties ?? {})) walk(x[k], old[k], fs, child(path, k), causes);
    const add = typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;
    if (add) for (const k of Object.keys(x)) if (!s.properties?.[k]) walk(x[k], old[k], add, child(path, k), causes);
    return;
  }
  // Only list-type map items correlate (by their keys); items of atomic lists and sets do not.
  if (Array.isArray(x) && Array.isArray(old) && s.items && s["x-kubernetes-list-type"] === "map") {
    const keys = s["x-kubernetes-list-map-keys"] ?? [];
    const id = (v: unknown): string => (isPlainObject(v) ? JSON.stringify(keys.map((k) => v[k] ?? null)) : "");
    const olds = new Map(old.map((v) => [id(v), v] as const));
    x.forEach((v, i) => walk(v, olds.get(id(v)), s.items!, index(path, i), causes));
  }
}

function joinFieldPath(path: string, fieldPath: string): string {
  const rel = fieldPath.startsWith(".") ? fieldPath.slice(1) : fieldPath;
  return path ? `${path}.${rel}` : rel;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Rules in `schema` that this module does not enforce, with their field paths (for docs and tests). */
export function unenforcedRules(schema: JSONSchemaProps, path = ""): { field: string; rule: string }[] {
  const out: { field: string; rule: string }[] = [];
  for (const r of schema["x-kubernetes-validations"] ?? []) if (!isImmutableRule(r)) out.push({ field: path, rule: r.rule });
  for (const [k, fs] of Object.entries(schema.properties ?? {})) out.push(...unenforcedRules(fs, child(path, k)));
  if (typeof schema.additionalProperties === "object") out.push(...unenforcedRules(schema.additionalProperties, child(path, "*")));
  if (schema.items) out.push(...unenforcedRules(schema.items, `${path}[*]`));
  return out;
}
