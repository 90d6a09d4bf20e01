/**
 * The shape structured-merge-diff sees in a CRD schema: which objects are structs (named fields), which are maps
 * (free keys), which lists merge by key or by value and which are atomic. kube-apiserver derives the same from
 * the CRD's OpenAPI: lists are atomic unless `x-kubernetes-list-type` says `set` or `map`; objects are granular
 * unless `x-kubernetes-map-type: atomic`; `metadata` is the real ObjectMeta; fields under
 * `x-kubernetes-preserve-unknown-fields` are "deduced" (maps granular, lists atomic).
 */
import { OBJECT_META_FIELDS } from "../schema/objectmeta.js";
import type { JSONSchemaProps } from "../schema/types.js";

export type FieldType =
  /** A leaf: scalars, atomic lists and maps. Compared and replaced whole. */
  | { readonly kind: "leaf" }
  /** Named fields; `extra` types keys that are not fields (preserve-unknown-fields), absent: none allowed. */
  | { readonly kind: "struct"; readonly fields: ReadonlyMap<string, FieldType>; readonly extra?: FieldType }
  /** Free keys, each an element of one type (additionalProperties, labels). */
  | { readonly kind: "map"; readonly element: FieldType }
  /** A granular list: items identified by `keys` (list-type map) or by value (list-type set). */
  | { readonly kind: "list"; readonly listType: "set" | "map"; readonly keys: readonly string[]; readonly element: FieldType }
  /** Untyped (preserve-unknown-fields): objects are maps of untyped, arrays are atomic, scalars leaves. */
  | { readonly kind: "untyped" };

export const LEAF: FieldType = { kind: "leaf" };
export const UNTYPED: FieldType = { kind: "untyped" };

const struct = (fields: Record<string, FieldType>, extra?: FieldType): FieldType =>
  extra ? { kind: "struct", fields: new Map(Object.entries(fields)), extra } : { kind: "struct", fields: new Map(Object.entries(fields)) };

/**
 * metav1.ObjectMeta as its Go markers type it: labels and annotations are granular maps, finalizers a set,
 * ownerReferences a map keyed by uid whose items are atomic (`+structType=atomic`); the rest are leaves.
 */
export const OBJECT_META: FieldType = struct(
  Object.fromEntries(
    Object.keys(OBJECT_META_FIELDS).map((name): [string, FieldType] => {
      switch (name) {
        case "labels":
        case "annotations":
          return [name, { kind: "map", element: LEAF }];
        case "finalizers":
          return [name, { kind: "list", listType: "set", keys: [], element: LEAF }];
        case "ownerReferences":
          return [name, { kind: "list", listType: "map", keys: ["uid"], element: LEAF }];
        default:
          return [name, LEAF];
      }
    }),
  ),
);

const cache = new WeakMap<JSONSchemaProps, FieldType>();

/** The type of a whole object of a kind, from its openAPIV3Schema (cached per schema object). */
export function rootType(schema: JSONSchemaProps): FieldType {
  let t = cache.get(schema);
  if (!t) {
    t = fromSchema(schema, true);
    cache.set(schema, t);
  }
  return t;
}

function fromSchema(s: JSONSchemaProps, isResource: boolean): FieldType {
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  if (s["x-kubernetes-int-or-string"]) return LEAF;
  const type = s.type ?? (s.properties ? "object" : s.items ? "array" : undefined);
  if (type === "array") {
    const listType = s["x-kubernetes-list-type"];
    if (listType !== "set" && listType !== "map") return LEAF;
    const element = s.items ? fromSchema(s.items, s.items["x-kubernetes-embedded-resource"] === true) : UNTYPED;
    return { kind: "list", listType, keys: listType === "map" ? [...(s["x-kubernetes-list-map-keys"] ?? [])] : [], element };
  }
  if (type === "object") {
    if (s["x-kubernetes-map-type"] === "atomic") return LEAF;
    const fields: Record<string, FieldType> = {};
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      fields[name] = fromSchema(prop, prop["x-kubernetes-embedded-resource"] === true);
    }
    // A resource (the root, or an embedded one) has TypeMeta and ObjectMeta whatever its schema spells out.
    if (isResource || s["x-kubernetes-embedded-resource"]) {
      fields.apiVersion = LEAF;
      fields.kind = LEAF;
      fields.metadata = OBJECT_META;
    }
    const add = s.additionalProperties;
    if (typeof add === "object" && Object.keys(fields).length === 0) return { kind: "map", element: fromSchema(add, false) };
    if (add === true && Object.keys(fields).length === 0) return { kind: "map", element: UNTYPED };
    if (preserve) return Object.keys(fields).length === 0 ? { kind: "map", element: UNTYPED } : struct(fields, UNTYPED);
    return struct(fields);
  }
  // No type: only preserve-unknown-fields leaves a value free in a structural schema.
  return preserve ? UNTYPED : LEAF;
}

/** The type of a map key or field below a struct/map/untyped object; undefined: not declared in the schema. */
export function fieldType(t: FieldType, name: string): FieldType | undefined {
  switch (t.kind) {
    case "struct":
      return t.fields.get(name) ?? t.extra;
    case "map":
      return t.element;
    case "untyped":
      return UNTYPED;
    default:
      return undefined;
  }
}

/** Whether `name` is a named field (not a free map key) of `t`: named fields are not members in ToFieldSet. */
export const isNamedField = (t: FieldType, name: string): boolean => t.kind === "struct" && t.fields.has(name);
