/**
 * x-kubernetes-list-type uniqueness, which JSON Schema cannot express: in a `set` no item may repeat, in a
 * `map` no two items may share their x-kubernetes-list-map-keys values (listtype.ValidateListSetsAndMaps).
 * Only the second appearance of a repeated item is reported, as upstream does.
 */
import { child, index, key } from "./field-path.js";
import { duplicate, invalid, type FieldCause } from "./field-errors.js";
import { type JSONSchemaProps } from "./types.js";
import { isPlainObject } from "../../lib/objects.js";

export function validateListTypes(obj: unknown, schema: JSONSchemaProps): FieldCause[] {
  const causes: FieldCause[] = [];
  walk(obj, schema, "", causes);
  return causes;
}

function walk(x: unknown, s: JSONSchemaProps, path: string, causes: FieldCause[]): void {
  if (Array.isArray(x)) {
    const listType = s["x-kubernetes-list-type"];
    if (listType === "set") {
      for (const i of secondAppearances(x)) causes.push(duplicate(index(path, i), x[i]));
    } else if (listType === "map") {
      causes.push(...validateListMap(x, s["x-kubernetes-list-map-keys"] ?? [], path));
    }
    const items = s.items;
    if (items) x.forEach((v, i) => walk(v, items, index(path, i), causes));
    return;
  }
  if (!isPlainObject(x)) return;
  const add = typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;
  for (const [k, v] of Object.entries(x)) {
    const prop = s.properties?.[k];
    if (prop) walk(v, prop, child(path, k), causes);
    else if (add) walk(v, add, key(path, k), causes);
  }
}

// A key that an item leaves out; distinct from null, which is a value.
const UNSPECIFIED = Symbol("unspecified");

function validateListMap(list: unknown[], keys: string[], path: string): FieldCause[] {
  const bad = list.findIndex((x) => x !== null && !isPlainObject(x));
  if (bad >= 0) return [invalid(index(path, bad), list[bad], "must be an object for an array of list-type map")];
  if (list.length <= 1) return [];
  if (keys.length === 1) {
    const k = keys[0]!;
    const values = list.map((x) => (isPlainObject(x) && k in x ? x[k] : UNSPECIFIED));
    return secondAppearances(values).map((i) => {
      const v = values[i];
      return duplicate(index(path, i), v === UNSPECIFIED ? {} : { [k]: v });
    });
  }
  const tuples = list.map((x) => {
    const t: Record<string, unknown> = {};
    if (isPlainObject(x)) for (const k of keys) if (k in x) t[k] = x[k];
    return t;
  });
  return secondAppearances(tuples).map((i) => duplicate(index(path, i), tuples[i]));
}

/** Indices of the second appearance of each repeated value (compounds compared by their JSON). */
function secondAppearances(values: unknown[]): number[] {
  const seen = new Map<unknown, number>();
  const out: number[] = [];
  values.forEach((v, i) => {
    // Compounds and strings get distinct prefixes so a string never equals an object's JSON.
    const id = typeof v === "object" && v !== null ? `o${canonicalJSON(v)}` : typeof v === "string" ? `s${v}` : v;
    const times = seen.get(id) ?? 0;
    if (times === 1) out.push(i);
    seen.set(id, times + 1);
  });
  return out;
}

/** JSON with sorted keys, as Go marshals maps, so that {a,b} and {b,a} compare equal. */
function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(",")}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJSON(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}
