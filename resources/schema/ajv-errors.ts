/**
 * Turns ajv errors into the causes kube-apiserver gives for the same schema violations. kube-openapi words the
 * error (`<path> in body must be of type string: "integer"`) and apiextensions' kubeOpenAPIResultToFieldErrors
 * picks the field error type: Required, NotSupported (enum), TooLong (maxLength), TooMany (maxItems,
 * maxProperties), TypeInvalid (type and format), Invalid for everything else, with the data as bad value.
 */
import type { ErrorObject } from "ajv";
import { pointerToFieldPath, child } from "./field-path.js";
import {
  invalid,
  notSupported,
  required,
  tooLongMaxLength,
  tooMany,
  typeInvalid,
  type FieldCause,
} from "./field-errors.js";
import { goNumber, goQuote } from "./go-format.js";

/** The JSON type name kube-openapi reports for a decoded value. */
export function jsonTypeName(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v; // "string" | "boolean" | "object"
}

// Errors inside anyOf/oneOf/not branches only explain why the branch failed; kube-openapi reports the
// combinator failure alone.
const BRANCH = /\/(anyOf|oneOf|not)\//;

export function ajvErrorsToCauses(errors: ErrorObject[] | null | undefined, data: unknown): FieldCause[] {
  const causes: FieldCause[] = [];
  for (const e of errors ?? []) {
    if (BRANCH.test(e.schemaPath)) continue;
    const cause = toCause(e, data);
    if (cause) causes.push(cause);
  }
  return causes;
}

function toCause(e: ErrorObject, root: unknown): FieldCause | undefined {
  const field = pointerToFieldPath(e.instancePath, root);
  // The name inside kube-openapi's messages; it is the field path (the root has none).
  const name = field;
  const v: unknown = e.data;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return required(child(field, String(p.missingProperty)));
    case "type": {
      const declared = (e.parentSchema as { type?: string | string[] } | undefined)?.type ?? p.type;
      const expected = Array.isArray(declared) ? declared.join(",") : String(declared);
      const actual = jsonTypeName(v);
      return typeInvalid(field, actual, `${name} in body must be of type ${expected}: ${goQuote(actual)}`);
    }
    case "format": {
      const format = String(p.format);
      const detail = typeof v === "string" ? `must be of type ${format}: ${goQuote(v)}` : `must be of type ${format}`;
      return typeInvalid(field, v, `${name} in body ${detail}`);
    }
    case "enum": {
      const allowed = (p.allowedValues as unknown[]).filter((x) => x !== null);
      return notSupported(field, v, allowed.map((x) => (typeof x === "string" ? x : JSON.stringify(x))));
    }
    case "maxLength":
      return tooLongMaxLength(field, Number(p.limit));
    case "minLength":
      return invalid(field, v, `${name} in body should be at least ${String(p.limit)} chars long`);
    case "pattern":
      return invalid(field, v, `${name} in body should match '${String(p.pattern)}'`);
    case "maximum":
      return invalid(field, v, `${name} in body should be less than or equal to ${goNumber(Number(p.limit))}`);
    case "exclusiveMaximum":
      return invalid(field, v, `${name} in body should be less than ${goNumber(Number(p.limit))}`);
    case "minimum":
      return invalid(field, v, `${name} in body should be greater than or equal to ${goNumber(Number(p.limit))}`);
    case "exclusiveMinimum":
      return invalid(field, v, `${name} in body should be greater than ${goNumber(Number(p.limit))}`);
    case "multipleOf":
      return invalid(field, v, `${name} in body should be a multiple of ${goNumber(Number(p.multipleOf))}`);
    case "maxItems":
      return tooMany(field, Array.isArray(v) ? v.length : -1, Number(p.limit));
    case "minItems":
      return invalid(field, Array.isArray(v) ? v.length : "", `${name} in body should have at least ${String(p.limit)} items`);
    case "uniqueItems":
      return invalid(field, "", `${name} in body shouldn't contain duplicates`);
    case "maxProperties":
      return tooMany(field, typeof v === "object" && v ? Object.keys(v).length : -1, Number(p.limit));
    case "minProperties":
      return invalid(field, Number(p.limit), `${name} in body should have at least ${String(p.limit)} properties`);
    case "additionalProperties": {
      const key = String(p.additionalProperty);
      return invalid(field, key, `${name}.${key} in body is a forbidden property`);
    }
    case "anyOf":
      return invalid(field, "", `${name} in body must validate at least one schema (anyOf)`);
    case "oneOf":
      return invalid(field, "", `${name} in body must validate one and only one schema (oneOf)`);
    case "not":
      return invalid(field, "", `${name} in body must not validate the schema (not)`);
    case "if":
      return undefined; // the failing then/else branch reports itself
    default:
      return invalid(field, v ?? "", `${name} in body ${e.message ?? "is invalid"}`);
  }
}
