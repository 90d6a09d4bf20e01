/**
 * Runs the compiled rules of a schema over an object (and, on update, the stored object), as kube's CEL
 * Validator does: rules run on every non-null value that has them; `oldSelf` is bound where the old value
 * correlates (object properties and map keys, list-type map items by key; not items of atomic lists or
 * sets), and a transition rule runs only then unless it sets optionalOldSelf (then oldSelf is an optional).
 *
 * Ratcheting (CRDValidationRatcheting, GA): on update, a failed rule that does not read oldSelf is not an
 * error when its value is unchanged (deep-equal to the correlated old value; where the value does not
 * correlate, its nearest correlated ancestor's); kube then sends the error as a warning, and so do we.
 *
 * Cost: kube bounds each request by CEL cost units estimated at CRD write and counted while running; there
 * is no cost model in @bufbuild/cel, so a request gets RULES_TIME_BUDGET_MS of rule evaluation, checked before
 * each rule and message expression (one running rule is not interrupted; its input is bounded by the request
 * size). Past it, kube's "running out of cost budget" error is reported and no further rules run.
 */
import { isCelError, type CelValue } from "@bufbuild/cel";
import { isDeepStrictEqual } from "node:util";
import { causeString, type FieldCause } from "../field-errors.js";
import { child, index, key } from "../field-path.js";
import type { JSONSchemaProps } from "../types.js";
import { BUDGET_EXCEEDED, evaluationErrorDetail, failedRuleCause, ruleErrorCause, ruleMessage } from "./causes.js";
import { compileRules, type CompiledRule, type RuleNode } from "./compile.js";
import { optionalNone, optionalOf } from "./optional.js";
import { toCelValue } from "./values.js";
import { isPlainObject } from "../../../lib/objects.js";

export const RULES_TIME_BUDGET_MS = 1000;

export interface RulesResult {
  causes: FieldCause[];
  /** Errors ratcheted away on update, as kube's warnings word them (`<field>: <message>`). */
  warnings: string[];
}

/** Runs the rules of `schema` over `obj`; pass the stored object as `old` on update. */
export function validateRules(obj: unknown, old: unknown, schema: JSONSchemaProps, budgetMs = RULES_TIME_BUDGET_MS): RulesResult {
  const root = compileRules(schema);
  const out: Run = { causes: [], warnings: [], deadline: performance.now() + budgetMs, stopped: false };
  if (root) walk(root, obj, old, "", old === undefined ? NO_RATCHET : { old, unchanged: isDeepStrictEqual(obj, old) }, out);
  return { causes: out.causes, warnings: out.warnings };
}

interface Run extends RulesResult {
  deadline: number;
  stopped: boolean;
}

/** The ratcheting correlation: the old value where this node correlates, and whether errors here ratchet. */
interface Ratchet {
  old?: unknown;
  unchanged: boolean;
}
const NO_RATCHET: Ratchet = { unchanged: false };

function correlateChild(r: Ratchet, x: unknown, old: unknown): Ratchet {
  // Past a node that does not correlate nothing below does; errors there follow the nearest correlated ancestor.
  if (!("old" in r)) return r;
  return old === undefined ? { unchanged: r.unchanged } : { old, unchanged: isDeepStrictEqual(x, old) };
}

function walk(node: RuleNode, x: unknown, old: unknown, path: string, ratchet: Ratchet, run: Run): void {
  if (x === null || x === undefined || run.stopped) return;
  if (node.rules.length > 0) evaluate(node, x, old, path, ratchet, run);
  if (isPlainObject(x)) {
    const oldMap = isPlainObject(old) ? old : undefined;
    for (const [k, v] of Object.entries(x)) {
      const prop = node.properties.get(k);
      const sub = prop ?? (node.schema.properties?.[k] ? undefined : node.additionalProperties);
      if (!sub) continue;
      const r = path === "" && (k === "apiVersion" || k === "kind") ? NO_RATCHET : correlateChild(ratchet, v, oldMap?.[k]);
      walk(sub, v, oldMap?.[k], prop ? child(path, k) : key(path, k), r, run);
    }
  } else if (Array.isArray(x) && node.items) {
    const s = node.schema;
    const oldList = Array.isArray(old) ? old : [];
    const byKey = s["x-kubernetes-list-type"] === "map" ? mapListIndex(oldList, s["x-kubernetes-list-map-keys"] ?? []) : undefined;
    x.forEach((v, i) => {
      const oldItem = byKey?.get(mapListKey(v, s["x-kubernetes-list-map-keys"] ?? []));
      // Set items correlate for ratcheting only (by value): kube gives them no oldSelf.
      const ratchetOld = oldItem ?? (s["x-kubernetes-list-type"] === "set" ? oldList.find((o) => isDeepStrictEqual(o, v)) : undefined);
      walk(node.items!, v, oldItem, index(path, i), correlateChild(ratchet, v, ratchetOld), run);
    });
  }
}

function mapListKey(v: unknown, keys: string[]): string {
  return isPlainObject(v) ? JSON.stringify(keys.map((k) => v[k] ?? null)) : "";
}

function mapListIndex(list: unknown[], keys: string[]): Map<string, unknown> {
  return new Map(list.map((v) => [mapListKey(v, keys), v] as const));
}

function evaluate(node: RuleNode, x: unknown, old: unknown, path: string, ratchet: Ratchet, run: Run): void {
  const self = toCelValue(x, node.schema, node.resourceRoot);
  const oldSelf = old === undefined ? undefined : toCelValue(old, node.schema, node.resourceRoot);
  const vars = oldSelf === undefined ? { self } : { self, oldSelf };
  for (const c of node.rules) {
    if (c.usesOldSelf && old === undefined && !c.rule.optionalOldSelf) continue;
    if (performance.now() > run.deadline) {
      run.causes.push(ruleErrorCause(path, node.schema, BUDGET_EXCEEDED));
      run.stopped = true;
      return;
    }
    const result = c.program(c.rule.optionalOldSelf ? { self, oldSelf: oldSelf === undefined ? optionalNone() : optionalOf(oldSelf as CelValue) } : vars);
    if (isCelError(result)) {
      run.causes.push(ruleErrorCause(path, node.schema, evaluationErrorDetail(result.message, c.rule)));
      continue;
    }
    if (result === true) continue;
    const field = c.fieldPath ? child(path, c.fieldPath) : path;
    const cause = failedRuleCause(field, x, message(c, vars, run), c.rule.reason);
    if (!c.usesOldSelf && ratchet.unchanged) run.warnings.push(causeString(cause));
    else run.causes.push(cause);
  }
}

/**
 * The messageExpression's string when it gives a usable one (non-empty, one line, at most 5120 bytes after
 * trimming), else the rule's message, as kube falls back (it only logs why).
 */
function message(c: CompiledRule, vars: Record<string, unknown>, run: Run): string {
  if (c.messageExpression && performance.now() <= run.deadline) {
    const m = c.messageExpression(vars);
    if (typeof m === "string") {
      const trimmed = m.trim();
      if (trimmed !== "" && !trimmed.includes("\n") && Buffer.byteLength(trimmed) <= 5120) return trimmed;
    }
  }
  return ruleMessage(c.rule);
}
