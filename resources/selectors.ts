/**
 * Label and field selectors with kube-apiserver's grammar and error wording (k8s.io/apimachinery/pkg/labels,
 * pkg/fields). A parse error is a 400 BadRequest, as kube-apiserver answers an unparsable selector.
 */
import { badRequest } from "./errors.js";
import type { KubeObject } from "../storage/interface.js";

type Op = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";
interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export type Predicate = (obj: KubeObject) => boolean;

const qualifiedName = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses: `a in (x,y),b` → ["a in (x,y)", "b"]. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim());
}

function checkKey(key: string, selector: string): void {
  if (!qualifiedName.test(key) || key.length > 316) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  void selector;
}

function checkValue(value: string): void {
  if (value.length > 63 || !labelValue.test(value)) {
    throw badRequest(`unable to parse requirement: values[0][${value}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}

function parseTerm(term: string, selector: string): Requirement {
  let m: RegExpExecArray | null;
  if ((m = /^!\s*([^\s!=<>(),]+)$/.exec(term))) return { key: req(m[1]), op: "!", values: [] };
  if ((m = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term))) {
    // `a in ()` is `a in ("")` to kube-apiserver's parser: an empty value is a value.
    const values = m[3]!.split(",").map((v) => v.trim());
    values.forEach(checkValue);
    return { key: req(m[1]), op: m[2] as Op, values };
  }
  if ((m = /^([^\s!=<>(),]+)\s*(==|=|!=)\s*([^\s!=<>(),]*)$/.exec(term))) {
    checkValue(m[3]!);
    return { key: req(m[1]), op: m[2] === "!=" ? "!=" : "=", values: [m[3]!] };
  }
  if ((m = /^([^\s!=<>(),]+)\s*(<|>)\s*([^\s!=<>(),]+)$/.exec(term))) {
    if (!/^-?\d+$/.test(m[3]!)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
    return { key: req(m[1]), op: m[2] === ">" ? "gt" : "lt", values: [m[3]!] };
  }
  if ((m = /^([^\s!=<>(),]+)$/.exec(term))) return { key: req(m[1]), op: "exists", values: [] };
  throw badRequest(`unable to parse requirement: found '${term}', expected: identifier or operator in selector "${selector}"`);

  function req(key: string | undefined): string {
    checkKey(key!, selector);
    return key!;
  }
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case "=":
      return has && v === r.values[0];
    case "!=":
      return !has || v !== r.values[0];
    case "in":
      return has && r.values.includes(v!);
    case "notin":
      return !has || !r.values.includes(v!);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || !/^-?\d+$/.test(v!)) return false;
      const n = Number(v);
      const bound = Number(r.values[0]);
      return r.op === "gt" ? n > bound : n < bound;
    }
  }
}

/** Parses a label selector (`a=b,c!=d,e in (f,g),!h,i>3`). An empty selector matches everything: undefined. */
export function parseLabelSelector(selector: string | undefined | null): Predicate | undefined {
  if (!selector || selector.trim() === "") return undefined;
  const requirements = splitTerms(selector).map((t) => parseTerm(t, selector));
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return requirements.every((r) => matches(r, labels));
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
