/**
 * The field errors of CRD validation rules as kube-apiserver 1.37 words them (apiextensions-apiserver
 * schema/cel/validation.go): a failed rule is reported by its `reason` with the rule's message; the value is
 * shown when it is a scalar and left out when it is an object or a list. Rules that cannot run report the
 * schema type as the value (`Invalid value: "object": … evaluating rule: …`).
 */
import { duplicate, forbidden, invalid, required, type FieldCause } from "../field-errors.js";
import type { JSONSchemaProps, ValidationRule } from "../types.js";

/** ruleErrorString: the message when there is one, else the rule. */
export function ruleErrorString(r: ValidationRule): string {
  return r.message?.trim() || r.rule.trim();
}

/** ruleMessageOrDefault. */
export function ruleMessage(r: ValidationRule): string {
  return r.message?.trim() || `failed rule: ${r.rule.trim()}`;
}

/** fieldErrorForReason, with the value (`self`) shown as kube ≥ 1.35 shows it. */
export function failedRuleCause(field: string, value: unknown, detail: string, reason: string | undefined): FieldCause {
  switch (reason) {
    case "FieldValueForbidden":
      return forbidden(field, detail);
    case "FieldValueRequired":
      return required(field, detail);
    case "FieldValueDuplicate":
      return duplicate(field, value);
    default:
      if (typeof value === "object" && value !== null) return { type: "FieldValueInvalid", field, message: `Invalid value: ${detail}` };
      return invalid(field, value, detail);
  }
}

/** A rule that could not run: the error is reported with the schema type as the value. */
export function ruleErrorCause(field: string, schema: JSONSchemaProps, detail: string): FieldCause {
  return invalid(field, schema.type ?? "", detail);
}

/** How kube words an evaluation error; @bufbuild/cel's wording is mapped onto cel-go's where they differ. */
export function evaluationErrorDetail(message: string, r: ValidationRule): string {
  const rule = ruleErrorString(r);
  if (/no matching overload|no such overload/.test(message)) {
    return `'no such overload': call arguments did not match a supported operator, function or macro signature for rule: ${rule}`;
  }
  const noKey = /^field not found: (.*)$/.exec(message);
  return `${noKey ? `no such key: ${noKey[1]}` : message} evaluating rule: ${rule}`;
}

export const BUDGET_EXCEEDED = "validation failed due to running out of cost budget, no further validation rules will be run";
