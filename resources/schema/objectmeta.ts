/**
 * ObjectMeta in custom resources. A CRD schema says only `metadata: {type: object}`; kube-apiserver decodes the
 * field into the real metav1.ObjectMeta instead, which drops unknown fields (reported like pruned ones) and fails
 * on a field of the wrong JSON type. It does the same for the metadata of embedded resources (Work manifests),
 * and then validates that metadata like any object's (ValidateObjectMetaAccessor).
 */
import { child, index } from "./field-path.js";
import { forbidden, invalid, required, tooLongBytes, type FieldCause } from "./field-errors.js";
import { isRFC3339 } from "./formats.js";
import { goNumber, goQuote } from "./go-format.js";
import { isQualifiedName, isValidLabelValue, isDNS1123Label, parseGroupVersionError } from "./name-rules.js";
import { isPlainObject } from "../../lib/objects.js";

/** How one ObjectMeta field decodes: its JSON shape and the Go type named in decoding errors. */
type Field =
  | { t: "string" | "int64" | "bool" | "time" | "raw"; go: string }
  | { t: "stringMap" | "stringList"; go: string }
  | { t: "structList"; go: string; fields: Record<string, Field> };

const str = (go = "string"): Field => ({ t: "string", go });
const TIME: Field = { t: "time", go: "v1.Time" };

const OWNER_REFERENCE: Record<string, Field> = {
  apiVersion: str(),
  kind: str(),
  name: str(),
  uid: str("types.UID"),
  controller: { t: "bool", go: "bool" },
  blockOwnerDeletion: { t: "bool", go: "bool" },
};

const MANAGED_FIELDS_ENTRY: Record<string, Field> = {
  manager: str(),
  operation: str("v1.ManagedFieldsOperationType"),
  apiVersion: str(),
  time: TIME,
  fieldsType: str(),
  fieldsV1: { t: "raw", go: "v1.FieldsV1" },
  subresource: str(),
};

/** metav1.ObjectMeta's JSON fields (1.28–1.33). */
export const OBJECT_META_FIELDS: Record<string, Field> = {
  name: str(),
  generateName: str(),
  namespace: str(),
  selfLink: str(),
  uid: str("types.UID"),
  resourceVersion: str(),
  generation: { t: "int64", go: "int64" },
  creationTimestamp: TIME,
  deletionTimestamp: TIME,
  deletionGracePeriodSeconds: { t: "int64", go: "int64" },
  labels: { t: "stringMap", go: "map[string]string" },
  annotations: { t: "stringMap", go: "map[string]string" },
  ownerReferences: { t: "structList", go: "[]v1.OwnerReference", fields: OWNER_REFERENCE },
  finalizers: { t: "stringList", go: "[]string" },
  managedFields: { t: "structList", go: "[]v1.ManagedFieldsEntry", fields: MANAGED_FIELDS_ENTRY },
};

export interface CoerceResult {
  /** Field paths of dropped unknown fields (`metadata.foo`, `spec.x[0].metadata.bar`). */
  unknownFields: string[];
  /** Set when the metadata does not decode into ObjectMeta: Go's encoding/json message. */
  error?: string;
}

/**
 * Drops unknown fields and nulls from `obj.metadata` in place, as decoding into ObjectMeta and encoding back
 * would. `prefix` is the path of the object holding `metadata` ("" at the root).
 */
export function coerceObjectMeta(obj: Record<string, unknown>, prefix: string): CoerceResult {
  const unknownFields: string[] = [];
  if (!("metadata" in obj)) return { unknownFields };
  const meta = obj.metadata;
  if (meta === null) {
    delete obj.metadata;
    return { unknownFields };
  }
  if (!isPlainObject(meta)) return { unknownFields, error: unmarshalError(meta, "", "v1.ObjectMeta") };
  const error = coerceStruct(meta, OBJECT_META_FIELDS, child(prefix, "metadata"), "", unknownFields);
  return error ? { unknownFields, error } : { unknownFields };
}

function coerceStruct(
  obj: Record<string, unknown>,
  fields: Record<string, Field>,
  path: string,
  goPath: string,
  unknown: string[],
): string | undefined {
  for (const [k, v] of Object.entries(obj)) {
    const f = fields[k];
    if (!f) {
      unknown.push(child(path, k));
      delete obj[k];
      continue;
    }
    // encoding/json leaves a field at its zero value for null, and omitempty drops it again on the way out.
    if (v === null) {
      delete obj[k];
      continue;
    }
    const err = coerceField(v, f, child(path, k), child(goPath, k), unknown);
    if (err) return err;
  }
  return undefined;
}

function coerceField(v: unknown, f: Field, path: string, goPath: string, unknown: string[]): string | undefined {
  switch (f.t) {
    case "string":
      return typeof v === "string" ? undefined : unmarshalError(v, goPath, f.go);
    case "bool":
      return typeof v === "boolean" ? undefined : unmarshalError(v, goPath, f.go);
    case "int64":
      return typeof v === "number" && Number.isInteger(v) ? undefined : unmarshalError(v, goPath, f.go);
    case "time":
      if (typeof v !== "string") return unmarshalError(v, goPath, "string");
      return isRFC3339(v) ? undefined : `parsing time ${goQuote(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${goQuote(v)} as RFC 3339`;
    case "raw":
      return undefined;
    case "stringMap":
      if (!isPlainObject(v)) return unmarshalError(v, goPath, f.go);
      for (const x of Object.values(v)) if (x !== null && typeof x !== "string") return unmarshalError(x, goPath, "string");
      return undefined;
    case "stringList":
      if (!Array.isArray(v)) return unmarshalError(v, goPath, f.go);
      for (const x of v) if (x !== null && typeof x !== "string") return unmarshalError(x, goPath, "string");
      return undefined;
    case "structList":
      if (!Array.isArray(v)) return unmarshalError(v, goPath, f.go);
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        if (item === null) continue;
        if (!isPlainObject(item)) return unmarshalError(item, goPath, f.go.slice(2));
        const err = coerceStruct(item, f.fields, index(path, i), goPath, unknown);
        if (err) return err;
      }
      return undefined;
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "number" : `number ${goNumber(v)}`;
  return typeof v === "string" ? "string" : "object";
}

/** encoding/json's UnmarshalTypeError text (ObjectMeta is decoded on its own, so paths start inside it). */
function unmarshalError(v: unknown, goPath: string, goType: string): string {
  const into = goPath ? `Go struct field ObjectMeta.${goPath}` : "Go value";
  return `json: cannot unmarshal ${jsonKind(v)} into ${into} of type ${goType}`;
}

export interface ObjectMetaRules {
  /** Checks a name (prefix=false) or a generateName (prefix=true); returns problems. */
  nameFn: (name: string, prefix: boolean) => string[];
  /** true: namespace required and a DNS-1123 label; false: namespace forbidden. */
  requiresNamespace: boolean;
}

const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

/**
 * ValidateObjectMetaAccessor on coerced metadata (types already right): name/generateName, namespace,
 * generation, labels, annotations, owner references, finalizers. `path` is the metadata's own path.
 */
export function validateObjectMeta(meta: Record<string, unknown>, path: string, rules: ObjectMetaRules): FieldCause[] {
  const causes: FieldCause[] = [];
  const name = (meta.name as string | undefined) ?? "";
  const generateName = (meta.generateName as string | undefined) ?? "";
  const namespace = (meta.namespace as string | undefined) ?? "";
  if (generateName) {
    for (const m of rules.nameFn(generateName, true)) causes.push(invalid(child(path, "generateName"), generateName, m));
  }
  if (!name) causes.push(required(child(path, "name"), "name or generateName is required"));
  else for (const m of rules.nameFn(name, false)) causes.push(invalid(child(path, "name"), name, m));
  if (rules.requiresNamespace) {
    if (!namespace) causes.push(required(child(path, "namespace")));
    else for (const m of isDNS1123Label(namespace)) causes.push(invalid(child(path, "namespace"), namespace, m));
  } else if (namespace) {
    causes.push(forbidden(child(path, "namespace"), "not allowed on this type"));
  }
  const generation = meta.generation as number | undefined;
  if (generation !== undefined && generation < 0) {
    causes.push(invalid(child(path, "generation"), generation, "must be greater than or equal to 0"));
  }
  causes.push(...validateLabels(meta.labels as Record<string, string> | undefined, child(path, "labels")));
  causes.push(...validateAnnotations(meta.annotations as Record<string, string> | undefined, child(path, "annotations")));
  causes.push(...validateOwnerReferences(meta.ownerReferences as Record<string, unknown>[] | undefined, child(path, "ownerReferences")));
  for (const f of (meta.finalizers as string[] | undefined) ?? []) {
    for (const m of isQualifiedName(f)) causes.push(invalid(child(path, "finalizers"), f, m));
  }
  return causes;
}

/** Label errors name the labels map itself, with the offending key or value as the bad value. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) causes.push(invalid(path, k, m));
    for (const m of isValidLabelValue(v ?? "")) causes.push(invalid(path, v, m));
  }
  return causes;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    // Annotation keys are qualified names in any case.
    for (const m of isQualifiedName(k.toLowerCase())) causes.push(invalid(path, k, m));
    size += Buffer.byteLength(k) + Buffer.byteLength(v ?? "");
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT_B) causes.push(tooLongBytes(path, TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return causes;
}

function validateOwnerReferences(refs: Record<string, unknown>[] | undefined, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  for (const ref of refs ?? []) {
    if (!ref) continue;
    const apiVersion = (ref.apiVersion as string | undefined) ?? "";
    // Upstream reports these on ownerReferences itself, not on the entry's index.
    const version = parseGroupVersionError(apiVersion) ? "" : (apiVersion.split("/").pop() ?? "");
    if (!version) causes.push(invalid(child(path, "apiVersion"), apiVersion, "version must not be empty"));
    if (!ref.kind) causes.push(invalid(child(path, "kind"), ref.kind ?? "", "kind must not be empty"));
    if (!ref.name) causes.push(invalid(child(path, "name"), ref.name ?? "", "name must not be empty"));
    if (!ref.uid) causes.push(invalid(child(path, "uid"), ref.uid ?? "", "uid must not be empty"));
  }
  return causes;
}
