/**
 * Path elements of structured-merge-diff (sigs.k8s.io/structured-merge-diff/fieldpath): how managedFields name
 * a field. Each element has three spellings, and clients see all of them:
 *   - its FieldsV1 key:  `f:name`, `k:{"type":"Ready"}`, `v:"finalizer"`, `i:0`
 *   - its string form in conflict messages:  `.name`, `[type="Ready"]`, `[="finalizer"]`, `[0]`
 *   - its order (PathElement.Compare), which orders FieldsV1 keys and conflict listings.
 */
import { goQuote } from "../schema/go-format.js";
import { isPlainObject } from "../../lib/objects.js";

export type PathElement =
  | { readonly field: string }
  | { readonly key: readonly (readonly [string, unknown])[] } // sorted by name, as fieldpath.KeyByFields sorts
  | { readonly value: unknown }
  | { readonly index: number };

export type Path = readonly PathElement[];

export const fieldPE = (field: string): PathElement => ({ field });

/**
 * JSON as Go's encoding/json (and SMD's jsoniter in standard-library mode) writes it: object keys sorted, and
 * <, >, & and the line separators escaped. Key fields and set values are serialized this way.
 */
export function goJSON(v: unknown): string {
  const canonical = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(canonical);
    if (isPlainObject(x)) return Object.fromEntries(Object.keys(x).sort().map((k) => [k, canonical(x[k])]));
    return x;
  };
  return JSON.stringify(canonical(v))
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** The FieldsV1 key of an element; also its identity in sets (equal elements serialize equally). */
export function serializePE(pe: PathElement): string {
  if ("field" in pe) return `f:${pe.field}`;
  if ("key" in pe) return `k:{${pe.key.map(([n, v]) => `${goJSON(n)}:${goJSON(v)}`).join(",")}}`;
  if ("value" in pe) return `v:${goJSON(pe.value)}`;
  return `i:${pe.index}`;
}

/** Thrown for FieldsV1 keys that do not parse (an unknown prefix is not an error: it is skipped, as upstream). */
export class PathElementError extends Error {}

/** The element a FieldsV1 key names; undefined for a prefix this version does not know (ignored upstream). */
export function deserializePE(s: string): PathElement | undefined {
  const prefix = s.slice(0, 2);
  const rest = s.slice(2);
  switch (prefix) {
    case "f:":
      return { field: rest };
    case "k:": {
      const parsed = parseJSON(rest);
      if (!isPlainObject(parsed)) throw new PathElementError(`invalid key ${rest}`);
      return keyPE(Object.entries(parsed));
    }
    case "v:":
      return { value: parseJSON(rest) };
    case "i:": {
      if (!/^-?\d+$/.test(rest)) throw new PathElementError(`invalid index ${rest}`);
      return { index: Number(rest) };
    }
    default:
      return undefined;
  }
}

function parseJSON(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch (e) {
    throw new PathElementError((e as Error).message);
  }
}

export function keyPE(fields: [string, unknown][]): PathElement {
  return { key: [...fields].sort(([a], [b]) => compareStrings(a, b)) };
}

/** PathElement.String(): how conflict messages print an element. */
export function peString(pe: PathElement): string {
  if ("field" in pe) return `.${pe.field}`;
  if ("key" in pe) return `[${pe.key.map(([n, v]) => `${n}=${valueString(v)}`).join(",")}]`;
  if ("value" in pe) return `[=${valueString(pe.value)}]`;
  return `[${pe.index}]`;
}

export const pathString = (p: Path): string => p.map(peString).join("");

/** value.ToString: strings %q-quoted, numbers and booleans bare, compounds in SMD's bracket syntax. */
function valueString(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(",")}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${k}=${valueString(v[k])}`)
      .join(";")}}`;
  }
  return String(v);
}

/** Byte order for ASCII names, as Go's strings.Compare (UTF-16 order differs only beyond the BMP). */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const rank = (pe: PathElement): number => ("field" in pe ? 0 : "key" in pe ? 1 : "value" in pe ? 2 : 3);

/** PathElement.Compare: field names, then keys, then values, then indices. */
export function comparePE(a: PathElement, b: PathElement): number {
  const r = rank(a) - rank(b);
  if (r !== 0) return Math.sign(r);
  if ("field" in a && "field" in b) return compareStrings(a.field, b.field);
  if ("key" in a && "key" in b) return compareKeys(a.key, b.key);
  if ("value" in a && "value" in b) return compareValues(a.value, b.value);
  if ("index" in a && "index" in b) return Math.sign(a.index - b.index);
  return 0;
}

function compareKeys(a: readonly (readonly [string, unknown])[], b: readonly (readonly [string, unknown])[]): number {
  if (a.length !== b.length) return Math.sign(a.length - b.length);
  for (let i = 0; i < a.length; i++) {
    const c = compareStrings(a[i]![0], b[i]![0]) || compareValues(a[i]![1], b[i]![1]);
    if (c !== 0) return c;
  }
  return 0;
}

// value.Compare's total order across types: numbers, strings, booleans, lists, maps, null.
const valueRank = (v: unknown): number =>
  typeof v === "number" ? 0 : typeof v === "string" ? 1 : typeof v === "boolean" ? 2 : Array.isArray(v) ? 3 : isPlainObject(v) ? 4 : 5;

export function compareValues(a: unknown, b: unknown): number {
  const r = valueRank(a) - valueRank(b);
  if (r !== 0) return Math.sign(r);
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return compareStrings(goJSON(a), goJSON(b));
}
