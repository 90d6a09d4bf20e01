/**
 * Label and field selectors as predicates on objects, with kube-apiserver's grammar and error wording
 * (k8s.io/apimachinery/pkg/labels: label-selector.ts; pkg/fields). A parse error is a 400 BadRequest, as
 * kube-apiserver answers an unparsable selector.
 */
import { badRequest } from "./errors.js";
import { LabelSelectorError, matchesRequirement, parseLabelSelector as parseRequirements } from "./label-selector.js";
import type { KubeObject } from "../storage/interface.js";

export type Predicate = (obj: KubeObject) => boolean;

/** Parses a label selector (`a=b,c!=d,e in (f,g),!h,i>3`). An empty selector matches everything: undefined. */
export function parseLabelSelector(selector: string | undefined | null): Predicate | undefined {
  if (!selector) return undefined;
  let requirements;
  try {
    requirements = parseRequirements(selector);
  } catch (e) {
    throw e instanceof LabelSelectorError ? badRequest(e.message) : e;
  }
  if (requirements.length === 0) return undefined;
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return requirements.every((r) => matchesRequirement(r, labels));
  };
}

/**
 * Parses a field selector. Custom resources support only metadata.name and metadata.namespace, with the
 * operators =, == and !=; anything else is 400 `field label not supported: <field>`.
 */
export function parseFieldSelector(selector: string | undefined | null): Predicate | undefined {
  if (!selector || selector.trim() === "") return undefined;
  const terms = selector.split(",").map((t) => t.trim());
  const tests = terms.map((term) => {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1]!.trim();
    const want = m[3]!.trim();
    const neg = m[2] === "!=";
    let get: (o: KubeObject) => string;
    if (field === "metadata.name") get = (o) => o.metadata.name ?? "";
    else if (field === "metadata.namespace") get = (o) => o.metadata.namespace ?? "";
    else throw badRequest(`field label not supported: ${field}`);
    return (o: KubeObject) => (get(o) === want) !== neg;
  });
  return (obj) => tests.every((t) => t(obj));
}

/** Both selectors as one predicate (undefined when neither filters). */
export function combine(...preds: (Predicate | undefined)[]): Predicate | undefined {
  const real = preds.filter((p): p is Predicate => p !== undefined);
  if (real.length === 0) return undefined;
  if (real.length === 1) return real[0];
  return (o) => real.every((p) => p(o));
}
