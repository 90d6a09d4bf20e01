/**
 * structured-merge-diff's walks over a value and its type (sigs.k8s.io/structured-merge-diff/typed), on plain
 * JSON: the set of fields a value sets (ToFieldSet), what changed between two values (Compare), and removing
 * the fields of a set (RemoveItems). Their quirks are upstream's and are kept on purpose, since managedFields
 * must read like kube-apiserver's: ToFieldSet names leaves, list items and map entries but not the struct
 * fields above them; Compare names added and removed subtrees at every level.
 */
import { isDeepStrictEqual } from "node:util";
import { fieldType, isNamedField, UNTYPED, type FieldType } from "./field-types.js";
import { keyPE, type Path, type PathElement } from "./fieldpath.js";
import { FieldSet } from "./fieldset.js";
import { isPlainObject } from "../../lib/objects.js";

/** Absent (undefined) is not the same as null: null is a value the client set. */
type Value = unknown;

/** How a value of type `t` is walked; untyped values take their shape from the value. */
export function shapeOf(t: FieldType, ...values: Value[]): "leaf" | "object" | "list" {
  switch (t.kind) {
    case "leaf":
      return "leaf";
    case "list":
      return "list";
    case "untyped":
      return values.some((v) => v !== undefined && v !== null && !isPlainObject(v)) ? "leaf" : "object";
    default:
      return "object";
  }
}

/** The type of what lies below `pe` in a value of type `t`. */
export function childType(t: FieldType, pe: PathElement): FieldType {
  if ("field" in pe) return fieldType(t, pe.field) ?? UNTYPED;
  return t.kind === "list" ? t.element : UNTYPED;
}

/**
 * The element naming a list item: its key fields (list-type map) or itself (set). Undefined when the item
 * cannot be named (a missing key, a compound in a set); `problem` says why, in SMD's words.
 */
export function listItemPE(t: FieldType & { kind: "list" }, item: Value): { pe?: PathElement; problem?: string } {
  if (t.listType === "set") {
    if (isPlainObject(item)) return { problem: "associative list without keys has an element that's a map type" };
    if (Array.isArray(item)) return { problem: "associative list without keys has an element that's a list type" };
    return { pe: { value: item } };
  }
  if (!isPlainObject(item)) return { problem: "associative list with keys may not have non-map elements" };
  const fields: [string, unknown][] = [];
  for (const k of t.keys) {
    if (!(k in item)) return { problem: `associative list with keys has an element that omits key field "${k}" (and doesn't have default value)` };
    fields.push([k, item[k]]);
  }
  return { pe: keyPE(fields) };
}

/** The items of a list by element, first occurrence winning (duplicates are refused elsewhere). */
export function indexList(t: FieldType & { kind: "list" }, list: readonly Value[]): { pe: PathElement; item: Value }[] {
  const seen = new Set<string>();
  const out: { pe: PathElement; item: Value }[] = [];
  list.forEach((item, i) => {
    const pe = listItemPE(t, item).pe ?? { index: i };
    const id = JSON.stringify(pe);
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ pe, item });
  });
  return out;
}

const isEmptyObject = (v: Value): boolean => v === null || v === undefined || (isPlainObject(v) && Object.keys(v).length === 0);
const isEmptyList = (v: Value): boolean => v === null || v === undefined || (Array.isArray(v) && v.length === 0);

/** ToFieldSet: the fields a value sets. */
export function toFieldSet(v: Value, t: FieldType): FieldSet {
  const out = new FieldSet();
  walkSet(v, t, [], out);
  return out;
}

function walkSet(v: Value, t: FieldType, path: Path, out: FieldSet): void {
  const shape = shapeOf(t, v);
  if (shape === "leaf") {
    out.insert(path);
  } else if (shape === "object") {
    if (!isPlainObject(v)) {
      if (v !== null) out.insert(path);
      return;
    }
    for (const [k, c] of Object.entries(v)) {
      const p = [...path, { field: k }];
      walkSet(c, fieldType(t, k) ?? UNTYPED, p, out);
      // Struct fields are owned through what they hold (an empty or null one: not at all); map entries themselves.
      if (!isNamedField(t, k)) out.insert(p);
    }
  } else if (t.kind === "list") {
    if (!Array.isArray(v)) {
      if (v !== null) out.insert(path);
      return;
    }
    for (const { pe, item } of indexList(t, v)) {
      const p = [...path, pe];
      walkSet(item, t.element, p, out);
      out.insert(p);
    }
  }
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compare: what going from `lhs` to `rhs` added, modified and removed. */
export function compare(lhs: Value, rhs: Value, t: FieldType): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(lhs, rhs, t, [], c);
  return c;
}

function walkCompare(l: Value, r: Value, t: FieldType, path: Path, c: Comparison): void {
  if (isDeepStrictEqual(l, r)) return;
  const leaf = (): void => {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else c.modified.insert(path);
  };
  const shape = shapeOf(t, l, r);
  if (shape === "leaf") return leaf();
  if (shape === "object") {
    const lo = isPlainObject(l) ? l : undefined;
    const ro = isPlainObject(r) ? r : undefined;
    // Mismatched JSON types, or both sides empty: compared as a whole (SMD's "empty promotes to leaf").
    if ((l != null && !lo) || (r != null && !ro) || (isEmptyObject(l) && isEmptyObject(r))) return leaf();
    for (const k of new Set([...Object.keys(lo ?? {}), ...Object.keys(ro ?? {})])) {
      walkCompare(lo?.[k], ro?.[k], fieldType(t, k) ?? UNTYPED, [...path, { field: k }], c);
    }
  } else if (t.kind === "list") {
    const ll = Array.isArray(l) ? l : undefined;
    const rl = Array.isArray(r) ? r : undefined;
    if ((l != null && !ll) || (r != null && !rl) || (isEmptyList(l) && isEmptyList(r))) return leaf();
    const li = new Map(indexList(t, ll ?? []).map((x) => [JSON.stringify(x.pe), x]));
    const ri = new Map(indexList(t, rl ?? []).map((x) => [JSON.stringify(x.pe), x]));
    for (const id of new Set([...li.keys(), ...ri.keys()])) {
      const x = (li.get(id) ?? ri.get(id))!;
      walkCompare(li.get(id)?.item, ri.get(id)?.item, t.element, [...path, x.pe], c);
    }
  }
  // A subtree that appeared or went is named itself too, not only its leaves.
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

/** EnsureNamedFieldsAreMembers: struct fields above owned paths become members, so RemoveItems can reach them. */
export function ensureNamedFieldsAreMembers(s: FieldSet, t: FieldType): FieldSet {
  const out = new FieldSet();
  for (const pe of s.memberElements()) out.addMember(pe);
  for (const { pe, set } of s.childElements()) {
    if ("field" in pe && isNamedField(t, pe.field)) out.addMember(pe);
    out.addChild(pe, ensureNamedFieldsAreMembers(set, childType(t, pe)));
  }
  return out;
}

/**
 * The value without the members of `s` (and what lies below them). A container emptied by removing what it
 * held stays, empty, as current structured-merge-diff keeps it.
 */
export function removeItems(v: Value, s: FieldSet, t: FieldType): Value {
  const shape = shapeOf(t, v);
  if (shape === "object" && isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(v)) {
      const pe = { field: k };
      if (s.hasMember(pe)) continue;
      const sub = s.child(pe);
      out[k] = sub ? removeItems(c, sub, childType(t, pe)) : c;
    }
    return out;
  }
  if (shape === "list" && t.kind === "list" && Array.isArray(v)) {
    const out: unknown[] = [];
    for (const item of v) {
      const pe = listItemPE(t, item).pe;
      if (!pe) {
        out.push(item);
        continue;
      }
      if (s.hasMember(pe)) continue;
      const sub = s.child(pe);
      out.push(sub ? removeItems(item, sub, t.element) : item);
    }
    return out;
  }
  return v;
}
