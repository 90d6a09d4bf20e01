/**
 * Structural pruning, as kube-apiserver applies it to every custom resource it decodes: fields the schema does
 * not declare are dropped (and reported, for fieldValidation Warn/Strict), except under
 * x-kubernetes-preserve-unknown-fields; apiVersion, kind and metadata of the root and of embedded resources are
 * left to ObjectMeta decoding. Then nulls are dropped where the schema does not allow them (and has no default),
 * so that `foo: null` means "unset" instead of failing type validation.
 */
import { child, index } from "./field-path.js";
import { type JSONSchemaProps } from "./types.js";
import { isPlainObject } from "../../lib/objects.js";

const META_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

/** Prunes `obj` in place; returns the sorted paths of what it dropped. */
export function pruneUnknownFields(obj: unknown, schema: JSONSchemaProps): string[] {
  // The root is a resource: treat it as embedded so its type and object meta are left alone.
  const root: JSONSchemaProps = schema["x-kubernetes-embedded-resource"]
    ? schema
    : { ...schema, "x-kubernetes-embedded-resource": true };
  const pruned: string[] = [];
  prune(obj, root, "", pruned);
  return pruned.sort();
}

function additional(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;
}

function prune(x: unknown, s: JSONSchemaProps | undefined, path: string, pruned: string[]): void {
  if (s?.["x-kubernetes-preserve-unknown-fields"]) {
    skipPrune(x, s, path, pruned);
    return;
  }
  if (Array.isArray(x)) {
    x.forEach((v, i) => prune(v, s?.items, index(path, i), pruned));
    return;
  }
  if (!isPlainObject(x)) return;
  for (const [k, v] of Object.entries(x)) {
    if (s?.["x-kubernetes-embedded-resource"] && META_FIELDS.has(k)) continue;
    const prop = s?.properties?.[k];
    const add = s ? additional(s) : undefined;
    if (prop) prune(v, prop, child(path, k), pruned);
    else if (add) prune(v, add, child(path, k), pruned);
    else {
      // An undeclared apiVersion/kind/metadata at the root is the decoder's business, not an unknown field.
      if (!META_FIELDS.has(k) || path !== "") pruned.push(child(path, k));
      delete x[k];
    }
  }
}

/** Under preserve-unknown-fields: keep unknown fields, but still prune inside the declared ones. */
function skipPrune(x: unknown, s: JSONSchemaProps, path: string, pruned: string[]): void {
  if (Array.isArray(x)) {
    const items = s.items;
    if (items) x.forEach((v, i) => skipPrune(v, items, index(path, i), pruned));
    return;
  }
  if (!isPlainObject(x)) return;
  for (const [k, v] of Object.entries(x)) {
    if (s["x-kubernetes-embedded-resource"] && META_FIELDS.has(k)) continue;
    const prop = s.properties?.[k] ?? additional(s);
    if (prop) prune(v, prop, child(path, k), pruned);
  }
}

/** PruneNonNullableNullsWithoutDefaults, in place. */
export function pruneNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (Array.isArray(x)) {
    for (const v of x) pruneNulls(v, s?.items);
    return;
  }
  if (!isPlainObject(x)) return;
  for (const [k, v] of Object.entries(x)) {
    const fs = s ? (s.properties?.[k] ?? additional(s)) : undefined;
    if (v === null && fs && !fs.nullable && fs.default === undefined) delete x[k];
    else pruneNulls(v, fs);
  }
}
