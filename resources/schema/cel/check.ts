/**
 * What kube's type checker would refuse and @bufbuild/cel would only find when the rule runs: a call of a
 * function the environment lacks, or a name that is neither a variable nor a comprehension variable. Also
 * whether the rule reads `oldSelf`, which makes it a transition rule. Types are not checked (no checker for
 * our dynamic values): a type mistake shows when the rule runs, as a "no such overload" error.
 */
import type { parse } from "@bufbuild/cel";
import { hasFunction } from "./env.js";

type Expr = ReturnType<typeof parse>["expr"];
/** Names in scope: the rule's variables, or comprehension variables (which may shadow them). */
type Scope = Map<string, "rule" | "local">;

export interface CheckResult {
  errors: string[];
  usesOldSelf: boolean;
}

export function checkExpr(expr: Expr, variables: readonly string[]): CheckResult {
  const out: CheckResult = { errors: [], usesOldSelf: false };
  walk(expr, new Map(variables.map((v) => [v, "rule"])), out);
  return out;
}

/** `a.b.c` as a qualified name, when `e` is a chain of selections on an identifier. */
function qualifiedName(e: Expr | undefined): string | undefined {
  if (e?.exprKind.case === "identExpr") return e.exprKind.value.name;
  if (e?.exprKind.case === "selectExpr" && !e.exprKind.value.testOnly) {
    const head = qualifiedName(e.exprKind.value.operand);
    return head === undefined ? undefined : `${head}.${e.exprKind.value.field}`;
  }
  return undefined;
}

function walk(e: Expr | undefined, scope: Scope, out: CheckResult): void {
  if (!e) return;
  const k = e.exprKind;
  switch (k.case) {
    case "identExpr":
      if (k.value.name === "oldSelf" && scope.get("oldSelf") === "rule") out.usesOldSelf = true;
      if (!scope.has(k.value.name)) out.errors.push(`undeclared reference to '${k.value.name}'`);
      return;
    case "selectExpr":
      return walk(k.value.operand, scope, out);
    case "callExpr": {
      const { target, function: fn, args } = k.value;
      const ns = qualifiedName(target);
      if (ns !== undefined && !scope.has(ns.split(".")[0]!) && hasFunction(`${ns}.${fn}`)) {
        // A namespaced function (format.labelValue()): the target is its name, not a value.
      } else {
        // Operators and macro helpers (_&&_, @not_strictly_false) are the planner's own.
        if (!/^[_@!-]/.test(fn) && !hasFunction(fn)) out.errors.push(`undeclared reference to '${fn}'`);
        walk(target, scope, out);
      }
      for (const a of args) walk(a, scope, out);
      return;
    }
    case "listExpr":
      for (const x of k.value.elements) walk(x, scope, out);
      return;
    case "structExpr":
      for (const entry of k.value.entries) {
        if (entry.keyKind.case === "mapKey") walk(entry.keyKind.value, scope, out);
        walk(entry.value, scope, out);
      }
      return;
    case "comprehensionExpr": {
      const c = k.value;
      walk(c.iterRange, scope, out);
      walk(c.accuInit, scope, out);
      const inner: Scope = new Map(scope);
      for (const v of [c.iterVar, c.iterVar2, c.accuVar]) if (v) inner.set(v, "local");
      walk(c.loopCondition, inner, out);
      walk(c.loopStep, inner, out);
      walk(c.result, inner, out);
      return;
    }
    default:
      return;
  }
}
