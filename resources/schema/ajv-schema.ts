/**
 * Compiles a structural CRD schema with ajv. The CRD dialect (OpenAPI 3.0 with Kubernetes extensions) is turned
 * into plain JSON Schema first: boolean exclusiveMinimum/Maximum become draft-07 numbers, int-or-string becomes
 * a type union, descriptions and extensions go (pruning, embedded resources, list types and CEL are checked by
 * their own modules), and formats are kept only where we check them the way kube-openapi does.
 */
import { Ajv, type AnySchemaObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { isBase64, isDateTime } from "./formats.js";
import type { JSONSchemaProps } from "./types.js";

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is module.exports itself.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Formats ajv-formats checks close enough to kube-openapi's strfmt; date-time and byte are ours (formats.ts). */
const AJV_FORMATS = ["date", "email", "hostname", "ipv4", "ipv6", "uri", "uuid"] as const;
const CHECKED_FORMATS = new Set<string>([...AJV_FORMATS, "date-time", "byte"]);

let shared: Ajv | undefined;

function ajv(): Ajv {
  if (!shared) {
    // allErrors: report every problem, like kube-apiserver. verbose: errors carry the data and schema, which the
    // messages need. strict off: CRD schemas legitimately combine keywords ajv's strict mode frowns upon.
    shared = new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: true });
    addFormats(shared, [...AJV_FORMATS]);
    shared.addFormat("date-time", { type: "string", validate: isDateTime });
    shared.addFormat("byte", { type: "string", validate: isBase64 });
  }
  return shared;
}

export function compileSchema(schema: JSONSchemaProps): ValidateFunction {
  return ajv().compile(toAjvSchema(schema));
}

export function toAjvSchema(s: JSONSchemaProps): AnySchemaObject {
  const out: AnySchemaObject = {};
  if (s["x-kubernetes-int-or-string"]) out.type = ["integer", "string"];
  else if (s.type) out.type = s.type;
  // ajv's nullable needs a type; an untyped schema admits null anyway.
  if (s.nullable && out.type) out.nullable = true;
  if (s.format && CHECKED_FORMATS.has(s.format)) out.format = s.format;
  if (s.enum) out.enum = s.nullable && !s.enum.includes(null) ? [...s.enum, null] : s.enum;

  for (const k of ["pattern", "maxLength", "minLength", "multipleOf", "maxItems", "minItems", "uniqueItems"] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  for (const k of ["maxProperties", "minProperties", "required"] as const) if (s[k] !== undefined) out[k] = s[k];
  if (s.maximum !== undefined) out[s.exclusiveMaximum ? "exclusiveMaximum" : "maximum"] = s.maximum;
  if (s.minimum !== undefined) out[s.exclusiveMinimum ? "exclusiveMinimum" : "minimum"] = s.minimum;

  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toAjvSchema(v)]));
  }
  // additionalProperties: false never reaches validation: pruning already removed what it would reject.
  if (typeof s.additionalProperties === "object") out.additionalProperties = toAjvSchema(s.additionalProperties);
  if (s.items) out.items = toAjvSchema(s.items);
  if (s.allOf) out.allOf = s.allOf.map(toAjvSchema);
  if (s.anyOf) out.anyOf = s.anyOf.map(toAjvSchema);
  if (s.oneOf) out.oneOf = s.oneOf.map(toAjvSchema);
  if (s.not) out.not = toAjvSchema(s.not);
  return out;
}
