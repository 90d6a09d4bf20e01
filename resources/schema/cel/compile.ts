/**
 * The x-kubernetes-validations of a schema compiled once, into a tree that follows the schema's spine (nodes
 * only where some rule sits at or below). Any rule, messageExpression or fieldPath that does not compile
 * throws here, listing them all: for our served CRDs that is at load time, never on a request (kube refuses
 * such a CRD when it is written).
 */
import { parse, plan, type CelResult } from "@bufbuild/cel";
import { child } from "../field-path.js";
import type { JSONSchemaProps, ValidationRule } from "../types.js";
import { checkExpr } from "./check.js";
import { ENV } from "./env.js";
import { normalizeRuleFieldPath } from "./rule-field-path.js";

export type Program = (vars: Record<string, unknown>) => CelResult;

export interface CompiledRule {
  rule: ValidationRule;
  program: Program;
  messageExpression?: Program;
  /** A transition rule: it reads oldSelf. */
  usesOldSelf: boolean;
  /** `fieldPath` as a field path relative to the rule's node ("" when none). */
  fieldPath: string;
}

export interface RuleNode {
  schema: JSONSchemaProps;
  /** The root of a resource or an embedded resource: `self.metadata` shows name and generateName only. */
  resourceRoot: boolean;
  rules: CompiledRule[];
  properties: Map<string, RuleNode>;
  additionalProperties?: RuleNode;
  items?: RuleNode;
}

const cache = new WeakMap<JSONSchemaProps, RuleNode | null>();

/** The compiled rules of `schema` (a resource's openAPIV3Schema), undefined when it has none. Cached per schema. */
export function compileRules(schema: JSONSchemaProps): RuleNode | undefined {
  let node = cache.get(schema);
  if (node === undefined) {
    const errors: string[] = [];
    node = compileNode(schema, true, "", errors) ?? null;
    if (errors.length > 0) throw new Error(`x-kubernetes-validations do not compile:\n${errors.join("\n")}`);
    cache.set(schema, node);
  }
  return node ?? undefined;
}

function compileNode(s: JSONSchemaProps, resourceRoot: boolean, path: string, errors: string[]): RuleNode | undefined {
  const rules: CompiledRule[] = [];
  (s["x-kubernetes-validations"] ?? []).forEach((r, i) => {
    const at = `${child(path, "x-kubernetes-validations")}[${i}]`;
    const c = compileRule(r, s, (e) => errors.push(`${at}: ${e}`));
    if (c) rules.push(c);
  });
  const properties = new Map<string, RuleNode>();
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    const n = compileNode(p, p["x-kubernetes-embedded-resource"] === true, child(path, `properties[${k}]`), errors);
    if (n) properties.set(k, n);
  }
  const add = typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;
  const additionalProperties = add && compileNode(add, add["x-kubernetes-embedded-resource"] === true, child(path, "additionalProperties"), errors);
  const items = s.items && compileNode(s.items, s.items["x-kubernetes-embedded-resource"] === true, child(path, "items"), errors);
  if (rules.length === 0 && properties.size === 0 && !additionalProperties && !items) return undefined;
  return { schema: s, resourceRoot, rules, properties, ...(additionalProperties ? { additionalProperties } : {}), ...(items ? { items } : {}) };
}

function compileRule(r: ValidationRule, s: JSONSchemaProps, fail: (e: string) => void): CompiledRule | undefined {
  const rule = compileExpr(r.rule, ["self", "oldSelf"], (e) => fail(`rule ${JSON.stringify(r.rule)}: ${e}`));
  const message = r.messageExpression ? compileExpr(r.messageExpression, ["self", "oldSelf"], (e) => fail(`messageExpression ${JSON.stringify(r.messageExpression)}: ${e}`)) : undefined;
  let fieldPath = "";
  if (r.fieldPath) {
    try {
      fieldPath = normalizeRuleFieldPath(r.fieldPath, s);
    } catch (e) {
      fail(`fieldPath ${JSON.stringify(r.fieldPath)}: ${(e as Error).message}`);
    }
  }
  if (r.optionalOldSelf && !rule?.usesOldSelf) fail("optionalOldSelf is used by a rule that does not use oldSelf");
  if (!rule || (r.messageExpression && !message)) return undefined;
  return { rule: r, program: rule.program, ...(message ? { messageExpression: message.program } : {}), usesOldSelf: rule.usesOldSelf, fieldPath };
}

function compileExpr(src: string, variables: string[], fail: (e: string) => void): { program: Program; usesOldSelf: boolean } | undefined {
  try {
    const parsed = parse(src);
    const checked = checkExpr(parsed.expr, variables);
    if (checked.errors.length > 0) {
      fail(checked.errors.join("; "));
      return undefined;
    }
    return { program: plan(ENV, parsed) as Program, usesOldSelf: checked.usesOldSelf };
  } catch (e) {
    fail((e as Error).message);
    return undefined;
  }
}
