/**
 * Field errors as k8s.io/apimachinery/pkg/util/validation/field builds them, rendered the way a Status cause
 * carries them: `type` is the CauseType, `message` is ErrorBody() (type, bad value, detail), `field` the path.
 * Wording follows kube-apiserver 1.28–1.30; where newer releases reworded something it is noted beside it.
 */
import { goBadValue, goQuote } from "./go-format.js";

export type CauseType =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueTypeInvalid"
  | "FieldValueNotSupported"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueDuplicate"
  | "FieldValueForbidden"
  | "FieldValueNotFound"
  | "InternalError";

/** One entry of Status.details.causes. */
export interface FieldCause {
  type: CauseType;
  message: string;
  field: string;
}

function withDetail(body: string, detail: string | undefined): string {
  return detail ? `${body}: ${detail}` : body;
}

export function required(field: string, detail?: string): FieldCause {
  return { type: "FieldValueRequired", field, message: withDetail("Required value", detail) };
}

export function invalid(field: string, value: unknown, detail?: string): FieldCause {
  return { type: "FieldValueInvalid", field, message: withDetail(`Invalid value: ${goBadValue(value)}`, detail) };
}

/** field.TypeInvalid: a value of the wrong JSON type (or not of its string format). Reads "Invalid value". */
export function typeInvalid(field: string, value: unknown, detail: string): FieldCause {
  return { type: "FieldValueTypeInvalid", field, message: withDetail(`Invalid value: ${goBadValue(value)}`, detail) };
}

export function notSupported(field: string, value: unknown, supported: string[]): FieldCause {
  const detail = supported.length > 0 ? `supported values: ${supported.map(goQuote).join(", ")}` : "";
  return { type: "FieldValueNotSupported", field, message: withDetail(`Unsupported value: ${goBadValue(value)}`, detail) };
}

/**
 * field.TooLongMaxLength, which CRD schema validation uses for maxLength: the value is never echoed.
 * (kube-apiserver ≥ 1.32 says "may not be more than N bytes" instead.)
 */
export function tooLongMaxLength(field: string, maxLength: number): FieldCause {
  const detail = maxLength >= 0 ? `may not be longer than ${maxLength}` : "value is too long";
  return { type: "FieldValueTooLong", field, message: `Too long: ${detail}` };
}

/** field.TooLong, used by ObjectMeta validation (annotation size). */
export function tooLongBytes(field: string, maxBytes: number): FieldCause {
  return { type: "FieldValueTooLong", field, message: `Too long: must have at most ${maxBytes} bytes` };
}

export function tooMany(field: string, actual: number, max: number): FieldCause {
  const detail = max >= 0 ? `must have at most ${max} items` : "has too many items";
  const body = actual >= 0 ? `Too many: ${actual}` : "Too many";
  return { type: "FieldValueTooMany", field, message: `${body}: ${detail}` };
}

export function duplicate(field: string, value: unknown): FieldCause {
  return { type: "FieldValueDuplicate", field, message: `Duplicate value: ${goBadValue(value)}` };
}

export function forbidden(field: string, detail?: string): FieldCause {
  return { type: "FieldValueForbidden", field, message: withDetail("Forbidden", detail) };
}

/** `<field>: <message>`, as field.Error.Error() prints one error. */
export function causeString(c: FieldCause): string {
  return c.field ? `${c.field}: ${c.message}` : c.message;
}

/**
 * The message of a 422 Invalid Status, as apierrors.NewInvalid builds it: `ClusterProfile.multicluster.x-k8s.io
 * "x" is invalid: <error>` for one error, `…: [<e1>, <e2>]` for several (duplicates dropped).
 */
export function invalidMessage(kind: string, group: string, name: string, causes: FieldCause[]): string {
  const qualified = group ? `${kind}.${group}` : kind;
  const unique = [...new Set(causes.map(causeString))];
  const head = `${qualified} ${goQuote(name)} is invalid`;
  if (unique.length === 0) return head;
  if (unique.length === 1) return `${head}: ${unique[0]}`;
  return `${head}: [${unique.join(", ")}]`;
}
