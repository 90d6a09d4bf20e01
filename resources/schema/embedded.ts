/**
 * Embedded resources (x-kubernetes-embedded-resource: a Work's manifests). kube-apiserver decodes their metadata
 * into ObjectMeta (dropping unknown fields) and requires a string apiVersion and kind (objectmeta.Coerce), then
 * validates them like a top-level object's type and object meta (objectmeta.Validate).
 */
import { child, index } from "./field-path.js";
import { invalid, required, type FieldCause } from "./field-errors.js";
import { coerceObjectMeta, validateObjectMeta } from "./objectmeta.js";
import { isDNS1035Label, isValidPathSegmentName, parseGroupVersionError } from "./name-rules.js";
import { type JSONSchemaProps } from "./types.js";
import { isPlainObject } from "../../lib/objects.js";

export interface EmbeddedResult {
  unknownFields: string[];
  causes: FieldCause[];
}

/** Walks `obj` (the root is not itself treated as embedded), coercing and validating every embedded resource. */
export function checkEmbeddedResources(obj: unknown, schema: JSONSchemaProps): EmbeddedResult {
  const out: EmbeddedResult = { unknownFields: [], causes: [] };
  walkChildren(obj, schema, "", out);
  return out;
}

function walk(x: unknown, s: JSONSchemaProps, path: string, out: EmbeddedResult): void {
  if (isPlainObject(x) && s["x-kubernetes-embedded-resource"]) checkOne(x, path, out);
  walkChildren(x, s, path, out);
}

function walkChildren(x: unknown, s: JSONSchemaProps, path: string, out: EmbeddedResult): void {
  if (Array.isArray(x)) {
    const items = s.items;
    if (items) x.forEach((v, i) => walk(v, items, index(path, i), out));
    return;
  }
  if (!isPlainObject(x)) return;
  const add = typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;
  for (const [k, v] of Object.entries(x)) {
    // The embedded object's own metadata is ObjectMeta, not schema-described.
    if (s["x-kubernetes-embedded-resource"] && k === "metadata") continue;
    const fs = s.properties?.[k] ?? add;
    if (fs) walk(v, fs, child(path, k), out);
  }
}

function checkOne(x: Record<string, unknown>, path: string, out: EmbeddedResult): void {
  if (!("apiVersion" in x)) out.causes.push(required(child(path, "apiVersion")));
  if (!("kind" in x)) out.causes.push(required(child(path, "kind")));

  const apiVersion = x.apiVersion;
  if ("apiVersion" in x) {
    const p = child(path, "apiVersion");
    if (typeof apiVersion !== "string") out.causes.push(invalid(p, apiVersion, "must be a string"));
    else if (apiVersion === "") out.causes.push(invalid(p, apiVersion, "must not be empty"));
    else {
      const err = parseGroupVersionError(apiVersion);
      if (err) out.causes.push(invalid(p, apiVersion, err));
    }
  }
  const kind = x.kind;
  if ("kind" in x) {
    const p = child(path, "kind");
    if (typeof kind !== "string") out.causes.push(invalid(p, kind, "must be a string"));
    else if (kind === "") out.causes.push(invalid(p, kind, "must not be empty"));
    else {
      const errs = isDNS1035Label(kind.toLowerCase());
      if (errs.length > 0) out.causes.push(invalid(p, kind, `may have mixed case, but should otherwise match: ${errs.join(",")}`));
    }
  }

  if (!("metadata" in x)) return;
  // Kept for the error message: coercion edits metadata in place.
  const original: unknown = structuredClone(x.metadata);
  const coerced = coerceObjectMeta(x, path);
  out.unknownFields.push(...coerced.unknownFields);
  if (coerced.error) {
    out.causes.push(invalid(child(path, "metadata"), original, coerced.error));
    return;
  }
  const meta = x.metadata;
  if (!isPlainObject(meta)) return;
  // Upstream fills a placeholder name (generateName-less manifests are fine) and requires a namespace only
  // when one is given; names need only be usable as a path segment.
  const forValidation = meta.name ? meta : { ...meta, name: "fakename" };
  out.causes.push(
    ...validateObjectMeta(forValidation, child(path, "metadata"), {
      nameFn: isValidPathSegmentName,
      requiresNamespace: typeof meta.namespace === "string" && meta.namespace !== "",
    }),
  );
}
