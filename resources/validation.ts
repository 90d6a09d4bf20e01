/**
 * The upstream schemas of the kinds we serve, loaded once from resources/crds/, and validation of request
 * bodies against them the way kube-apiserver validates custom resources:
 *
 *   decode    root metadata into ObjectMeta (unknown fields dropped; wrong JSON types → 400 BadRequest),
 *             structural pruning of undeclared fields, nulls dropped where not nullable, embedded resources'
 *             metadata coerced; unknown fields → warnings (Warn) or 400 `strict decoding error: …` (Strict)
 *   validate  apiVersion/kind, ObjectMeta (name, namespace, labels, …), the OpenAPI schema (ajv), embedded
 *             resources, list-type map/set uniqueness, the x-kubernetes-validations CEL rules (schema/cel/)
 *
 * Causes are worded like kube-apiserver's (see schema/field-errors.ts) so clients and tests see the same text.
 */
import { GROUP, VERSION } from "../api/group.js";
import type { KubeObject } from "../storage/interface.js";
import { ajvErrorsToCauses } from "./schema/ajv-errors.js";
import { compileSchema } from "./schema/ajv-schema.js";
import { CRD_FILES, loadCRD, type CRD, type CRDVersion } from "./schema/crds.js";
import { checkEmbeddedResources } from "./schema/embedded.js";
import { invalid, type FieldCause } from "./schema/field-errors.js";
import { goQuote } from "./schema/go-format.js";
import { nameIsDNSSubdomain } from "./schema/name-rules.js";
import { coerceObjectMeta, validateObjectMeta } from "./schema/objectmeta.js";
import { pruneNulls, pruneUnknownFields } from "./schema/prune.js";
import { validateListTypes } from "./schema/list-types.js";
import { compileRules } from "./schema/cel/compile.js";
import { validateRules } from "./schema/cel/validate.js";
import { type JSONSchemaProps } from "./schema/types.js";
import { isPlainObject } from "../lib/objects.js";
import type { ValidateFunction } from "ajv";
import { deepFreeze } from "../lib/objects.js";

export type { FieldCause, CauseType } from "./schema/field-errors.js";
export { causeString, invalidMessage } from "./schema/field-errors.js";
export type { JSONSchemaProps, ValidationRule } from "./schema/types.js";
export type { CRD, CRDNames } from "./schema/crds.js";
export { crdPath, CRD_FILES } from "./schema/crds.js";

export type Kind = "ClusterProfile" | "Work" | "PlacementDecision";
export const KINDS: readonly Kind[] = ["ClusterProfile", "Work", "PlacementDecision"];

const FILE_OF: Record<Kind, string> = {
  ClusterProfile: CRD_FILES.clusterprofiles,
  Work: CRD_FILES.works,
  PlacementDecision: CRD_FILES.placementdecisions,
};

/** kube-apiserver's fieldValidation query parameter. */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

export interface ValidateOptions {
  /** What to do with unknown fields (they are always dropped). Default "Warn", as kube-apiserver's. */
  fieldValidation?: FieldValidation;
  /** The stored object, for updates: enables transition rules (`self == oldSelf`) and ratcheting. */
  oldObject?: unknown;
  /**
   * Check apiVersion/kind and ObjectMeta (name as a DNS subdomain, namespace, labels, annotations, owner
   * references, finalizers) as kube-apiserver's create validation does. Default true; call after the name
   * (generateName), namespace, apiVersion and kind are filled in.
   */
  objectMeta?: boolean;
}

export interface ValidationResult {
  /** A pruned deep copy of the input: what would be stored. */
  object: KubeObject;
  /** Non-empty: answer 422 Invalid with these causes (see invalidMessage for the Status message). */
  causes: FieldCause[];
  /** Paths of the dropped unknown fields, sorted (`spec.foo`, `metadata.bar`), whatever fieldValidation says. */
  unknownFields: string[];
  /**
   * For Warning headers: fieldValidation=Warn's `unknown field "spec.foo"` per dropped field, then the CEL rule
   * errors ratcheted away on update (whatever fieldValidation says, as kube-apiserver).
   */
  warnings: string[];
  /**
   * Set when kube-apiserver would refuse the body while decoding it, with 400 BadRequest and this message:
   * unknown fields under fieldValidation=Strict, or metadata that does not decode into ObjectMeta.
   * Causes are not computed then.
   */
  badRequest?: string;
}

interface Loaded {
  crd: CRD;
  version: CRDVersion;
  validator: ValidateFunction;
}

const loaded = new Map<Kind, Loaded>();

function load(kind: Kind): Loaded {
  let l = loaded.get(kind);
  if (!l) {
    const crd = loadCRD(FILE_OF[kind]);
    const version = crd.versions.find((v) => v.name === VERSION);
    if (!version) throw new Error(`${crd.file}: no version ${VERSION}`);
    if (crd.group !== GROUP || crd.names.kind !== kind) throw new Error(`${crd.file}: not ${kind}.${GROUP}`);
    deepFreeze(version.schema);
    // Compiles the CEL rules now, so a rule that does not compile fails the load, not a request.
    compileRules(version.schema);
    l = { crd, version, validator: compileSchema(version.schema) };
    loaded.set(kind, l);
  }
  return l;
}


/** The kind's CRD (names, scope, subresources). */
export function getCRD(kind: Kind): CRD {
  return load(kind).crd;
}

/** The kind's openAPIV3Schema at v1alpha1, frozen: clone before changing it. */
export function getSchema(kind: Kind): JSONSchemaProps {
  return load(kind).version.schema;
}

export function hasStatusSubresource(kind: Kind): boolean {
  return load(kind).version.subresources.status === true;
}

/** Prunes and validates a create or update body for `kind` (a copy of it). Never throws for bad input. */
export function validate(kind: Kind, input: unknown, opts: ValidateOptions = {}): ValidationResult {
  if (!isPlainObject(input)) {
    const object: KubeObject = { metadata: {} };
    return { object, causes: [], unknownFields: [], warnings: [], badRequest: "the request body must be a JSON object" };
  }
  return validateInPlace(load(kind), structuredClone(input), opts);
}

/** What resources/generic's schema strategy calls: prunes `obj` in place, reports causes and unknown fields. */
export type SchemaCheck = (obj: KubeObject, old?: KubeObject) => { causes: FieldCause[]; unknownFields: string[]; warnings: string[] };

/**
 * A validator for `kind` that works on the object in place, for callers that check apiVersion/kind and
 * ObjectMeta themselves and handle fieldValidation: metadata that does not decode is reported as an Invalid
 * cause on `metadata` (kube-apiserver answers it with 400 instead). Pass the stored object on updates.
 */
export function validatorFor(kind: string): SchemaCheck {
  if (!(KINDS as readonly string[]).includes(kind)) throw new Error(`no schema for kind ${kind}`);
  const l = load(kind as Kind);
  return (obj, old) => {
    const original: unknown = obj.metadata;
    const r = validateInPlace(l, obj as unknown as Record<string, unknown>, {
      fieldValidation: "Ignore",
      objectMeta: true,
      ...(old ? { oldObject: old } : {}),
    });
    const causes = r.badRequest ? [invalid("metadata", original, r.badRequest)] : r.causes;
    return { causes, unknownFields: r.unknownFields, warnings: r.warnings };
  };
}

function validateInPlace({ crd, version, validator }: Loaded, obj: Record<string, unknown>, opts: ValidateOptions): ValidationResult {
  const schema = version.schema;
  const result: ValidationResult = { object: obj as KubeObject, causes: [], unknownFields: [], warnings: [] };

  // Decoding.
  const meta = coerceObjectMeta(obj, "");
  if (meta.error) {
    result.badRequest = meta.error;
    return result;
  }
  const pruned = pruneUnknownFields(obj, schema);
  pruneNulls(obj, schema);
  const embedded = checkEmbeddedResources(obj, schema);
  if (!isPlainObject(obj.metadata)) obj.metadata = {};
  result.unknownFields = [...meta.unknownFields, ...pruned, ...embedded.unknownFields].sort();

  const mode = opts.fieldValidation ?? "Warn";
  const messages = result.unknownFields.map((p) => `unknown field ${goQuote(p)}`);
  if (mode === "Strict" && messages.length > 0) {
    result.badRequest = `strict decoding error: ${messages.join(", ")}`;
    return result;
  }
  if (mode === "Warn") result.warnings = messages;

  // Validation, in kube-apiserver's order.
  if (opts.objectMeta ?? true) {
    const typeErrors = validateTypeMeta(obj, crd.group, VERSION, crd.names.kind);
    if (typeErrors.length > 0) {
      result.causes = typeErrors;
      return result;
    }
    result.causes.push(
      ...validateObjectMeta(obj.metadata as Record<string, unknown>, "metadata", {
        nameFn: nameIsDNSSubdomain,
        requiresNamespace: crd.scope === "Namespaced",
      }),
    );
  }
  validator(obj);
  result.causes.push(...ajvErrorsToCauses(validator.errors, obj));
  result.causes.push(...embedded.causes);
  result.causes.push(...validateListTypes(obj, schema));
  // kube-apiserver runs a CRD's CEL rules only when the schema has some, and not after a "blocking" error
  // (apiextensions-apiserver customResourceStrategy, hasBlockingErr): it then adds this cause instead.
  if (compileRules(schema)) {
    if (result.causes.some((c) => BLOCKING.has(c.type))) result.causes.push(CEL_SKIPPED);
    else {
      const rules = validateRules(obj, opts.oldObject, schema);
      result.causes.push(...rules.causes);
      result.warnings.push(...rules.warnings);
    }
  }
  return result;
}

const BLOCKING = new Set<FieldCause["type"]>(["FieldValueNotSupported", "FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany", "FieldValueTypeInvalid"]);
const CEL_SKIPPED: FieldCause = {
  type: "FieldValueInvalid",
  field: "<nil>",
  message: "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
};

/** customResourceValidator.ValidateTypeMeta. */
function validateTypeMeta(obj: Record<string, unknown>, group: string, version: string, kind: string): FieldCause[] {
  const causes: FieldCause[] = [];
  const gv = `${group}/${version}`;
  if (obj.kind !== kind) causes.push(invalid("kind", obj.kind ?? "", `must be ${kind}`));
  if (obj.apiVersion !== gv) causes.push(invalid("apiVersion", obj.apiVersion ?? "", `must be ${gv}`));
  return causes;
}
