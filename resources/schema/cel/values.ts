/**
 * JSON values as kube hands them to CEL (UnstructuredToVal), by their structural schema: integer → int,
 * number → double, string → string (format byte → bytes, date and date-time → timestamp), object with
 * properties → an object of its declared properties (names escaped), additionalProperties → a map, array →
 * list, int-or-string and schemaless (x-kubernetes-preserve-unknown-fields without properties) values by
 * their JSON type (whole numbers → int). A resource root or embedded resource shows apiVersion, kind and
 * metadata.name/generateName only, as kube's WithTypeAndObjectMeta.
 * Not modelled: format duration (a string here, a duration in kube), set and map lists comparing equal
 * whatever their order (ordered lists here), and fields undeclared under preserve-unknown-fields being
 * visible (left out here).
 */
import type { CelInput } from "@bufbuild/cel";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { reflect } from "@bufbuild/protobuf/reflect";
import { isDateTime } from "../formats.js";
import type { JSONSchemaProps } from "../types.js";
import { escapeProperty } from "./escape.js";
import { isPlainObject } from "../../../lib/objects.js";

export function toCelValue(v: unknown, s: JSONSchemaProps | undefined, resourceRoot = false): CelInput {
  if (v === null || v === undefined) return null;
  if (!s || s["x-kubernetes-int-or-string"]) return dynamic(v);
  if (Array.isArray(v)) return v.map((x) => toCelValue(x, s.items));
  if (isPlainObject(v)) return object(v, s, resourceRoot || s["x-kubernetes-embedded-resource"] === true);
  switch (typeof v) {
    case "number":
      return s.type === "integer" && Number.isInteger(v) ? BigInt(v) : s.type === "number" ? v : dynamic(v);
    case "string":
      return s.type === "string" ? formatted(v, s.format) : v;
    default:
      return v as boolean;
  }
}

function object(v: Record<string, unknown>, s: JSONSchemaProps, resource: boolean): CelInput {
  const add = typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;
  if (add && !s.properties) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCelValue(x, add)]));
  if (!s.properties && !resource) return s["x-kubernetes-preserve-unknown-fields"] ? dynamic(v) : {};
  const out: Record<string, CelInput> = {};
  for (const [k, x] of Object.entries(v)) {
    const name = escapeProperty(k);
    if (name === undefined || x === null || x === undefined) continue;
    if (resource && (k === "apiVersion" || k === "kind")) out[name] = String(x);
    else if (resource && k === "metadata") out[name] = objectMeta(x);
    else if (s.properties?.[k]) out[name] = toCelValue(x, s.properties[k]);
  }
  return out;
}

function objectMeta(m: unknown): CelInput {
  const out: Record<string, CelInput> = {};
  if (isPlainObject(m)) for (const k of ["name", "generateName"]) if (typeof m[k] === "string") out[k] = m[k];
  return out;
}

/** A value with no schema to go by: its JSON type decides, whole numbers being ints as Go's JSON decoding gives. */
function dynamic(v: unknown): CelInput {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isInteger(v) && Number.isSafeInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(dynamic);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dynamic(x)]));
  return v as string | boolean;
}

function formatted(v: string, format: string | undefined): CelInput {
  if (format === "byte") return new Uint8Array(Buffer.from(v, "base64"));
  if (format === "date" && /^\d{4}-\d{2}-\d{2}$/.test(v)) return timestamp(`${v}T00:00:00Z`) ?? v;
  if (format === "date-time" && isDateTime(v)) return timestamp(v) ?? v;
  return v;
}

/** A google.protobuf.Timestamp with the string's full fraction (Date keeps milliseconds only). */
function timestamp(v: string): CelInput | undefined {
  const ms = Date.parse(v.toUpperCase());
  if (Number.isNaN(ms)) return undefined;
  const ts = timestampFromMs(Math.floor(ms / 1000) * 1000);
  const frac = /\.(\d+)/.exec(v)?.[1];
  if (frac) ts.nanos = Number(frac.slice(0, 9).padEnd(9, "0"));
  return reflect(TimestampSchema, ts) as unknown as CelInput;
}
