/**
 * Deeply nested request bodies. kube-apiserver takes JSON nested up to Go's 10,000 levels; most of our write path
 * (structuredClone, isDeepStrictEqual, the schema walks, managed fields, storage encoding) recurses once per
 * level and runs out of Node's stack near 2,000. Nearly always the deep part is a value under a field the schema
 * does not declare, which pruning drops whole: replacing such a value with `{}` before anything recurses changes
 * nothing that is stored or answered (the key is still pruned, and still reported to fieldValidation), and leaves
 * a document our write path can handle. What stays deeper than `servableDepth` is refused.
 *
 * Every walk here is iterative over the data, or bounded by the depth of the schema.
 */
import { isPlainObject } from "../../lib/objects.js";
import type { JSONSchemaProps } from "./types.js";

/** The nesting the write path serves (within Node's default stack, with a margin). */
export const servableDepth = 1_000;

/** Nesting depth as Go's JSON scanner counts it: a scalar 0, `[]` or `{}` 1, `{"a":[1]}` 2. Iterative. */
export function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    const here = d + 1;
    if (here > max) max = here;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, here]);
  }
  return max;
}

const META_FIELDS = new Set(["apiVersion", "kind", "metadata"]);
const isContainer = (v: unknown) => v !== null && typeof v === "object";
const additional = (s: JSONSchemaProps) => (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);

/** The schema of key k of an object with schema s: declared, additional, kept (preserve-unknown), or pruned. */
function childSchema(s: JSONSchemaProps, k: string): JSONSchemaProps | "kept" | "pruned" {
  const declared = s.properties?.[k] ?? additional(s);
  if (declared) return declared;
  return s["x-kubernetes-preserve-unknown-fields"] ? "kept" : "pruned";
}

/**
 * Replaces, in place, each container value under a key pruning will drop with `{}`. Follows the schema as
 * pruning does (the root's and embedded resources' apiVersion, kind and metadata are ObjectMeta's business).
 * For a create or update body, and for a merge patch (whose keys land where the same schema applies).
 */
export function shallowUnknown(doc: unknown, schema: JSONSchemaProps): void {
  const root: JSONSchemaProps = { ...schema, "x-kubernetes-embedded-resource": true };
  const walk = (x: unknown, s: JSONSchemaProps): void => {
    if (Array.isArray(x)) {
      if (s.items) for (const v of x) walk(v, s.items);
      return;
    }
    if (!isPlainObject(x)) return;
    for (const [k, v] of Object.entries(x)) {
      if (s["x-kubernetes-embedded-resource"] && META_FIELDS.has(k)) continue;
      const c = childSchema(s, k);
      if (c === "pruned") {
        if (isContainer(v)) x[k] = {};
      } else if (c !== "kept") walk(v, c);
    }
  };
  walk(doc, root);
}

/** Where a JSON pointer into an object of this schema lands: under a key pruning drops, or somewhere kept. */
export function pointerIsPruned(pointer: string, schema: JSONSchemaProps): boolean {
  const segments = pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let s: JSONSchemaProps | undefined = { ...schema, "x-kubernetes-embedded-resource": true };
  for (const seg of segments) {
    if (!s) return false;
    if (s.items && (seg === "-" || /^\d+$/.test(seg))) {
      s = s.items;
      continue;
    }
    if (s["x-kubernetes-embedded-resource"] && META_FIELDS.has(seg)) return false;
    const c = childSchema(s, seg);
    if (c === "pruned") return true;
    if (c === "kept") return false;
    s = c;
  }
  return false;
}

/** A JSON patch's operations with each deep value bound for a pruned location replaced by `{}`. */
export function shallowUnknownInJSONPatch(ops: unknown, schema: JSONSchemaProps): void {
  if (!Array.isArray(ops)) return;
  for (const op of ops) {
    if (!isPlainObject(op) || !isContainer(op.value) || typeof op.path !== "string") continue;
    if (op.op !== "test" && pointerIsPruned(op.path, schema)) op.value = {};
  }
}
