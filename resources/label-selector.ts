/**
 * Label selectors read as k8s.io/apimachinery/pkg/labels reads them (kube-apiserver 1.37): the same tokens, the
 * same grammar and every error in its words, so a selector kube-apiserver refuses is refused here with the same
 * message, and one it accepts (`a in ()`, `a=`, `x in (in,notin)`) means the same.
 *
 *   selector    ::= requirement ("," requirement)*
 *   requirement ::= ["!"] KEY [ ("in" | "notin") "(" values ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 *
 * parseLabelSelector returns the requirements, or throws a LabelSelectorError with the parser's message.
 */
import { goQuote } from "./schema/go-format.js";
import { isQualifiedName, isValidLabelValue } from "./schema/name-rules.js";

export type Operator = "in" | "notin" | "=" | "==" | "!=" | "gt" | "lt" | "exists" | "!";

export interface Requirement {
  key: string;
  op: Operator;
  /** Sorted and without duplicates, as the parser's string set hands them over. */
  values: string[];
}

export class LabelSelectorError extends Error {}

type Tok = "end" | ")" | "," | "!" | "==" | "=" | ">" | "id" | "in" | "<" | "!=" | "notin" | "(";
interface Item {
  tok: Tok;
  lit: string;
}

/** The literal tokens (operators and the two keywords); anything else between delimiters is an identifier. */
const literals = new Map<string, Tok>([
  [")", ")"],
  [",", ","],
  ["!", "!"],
  ["==", "=="],
  ["=", "="],
  [">", ">"],
  ["in", "in"],
  ["<", "<"],
  ["!=", "!="],
  ["notin", "notin"],
  ["(", "("],
]);
const special = (c: string) => "=!(),<>".includes(c);
const white = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";

/**
 * The lexer, reading as Go's does byte by byte, where read() gives 0 both at the end and for a NUL: a NUL where a
 * token would start ends the input; one right after a token is consumed as its delimiter.
 */
export function lex(s: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  const read = () => (i < s.length ? s[i++]! : (i++, "\0"));
  for (;;) {
    let ch = read();
    while (white(ch)) ch = read();
    if (ch === "\0") {
      items.push({ tok: "end", lit: "" });
      return items;
    }
    let lit = ch;
    if (special(ch)) {
      // The longest run of symbols that is still an operator ("!=", "=="); every single symbol is one.
      for (;;) {
        ch = read();
        if (ch === "\0") break;
        if (!special(ch) || !literals.has(lit + ch)) {
          i--;
          break;
        }
        lit += ch;
      }
      items.push({ tok: literals.get(lit)!, lit });
    } else {
      for (;;) {
        ch = read();
        if (ch === "\0") break;
        if (special(ch) || white(ch)) {
          i--;
          break;
        }
        lit += ch;
      }
      items.push({ tok: literals.get(lit) ?? "id", lit });
    }
  }
}

/** The parser: a cursor over the tokens. In a value position `in` and `notin` are identifiers. */
class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  private at(i: number, values: boolean): Item {
    const it = this.items[Math.min(i, this.items.length - 1)]!;
    return values && (it.tok === "in" || it.tok === "notin") ? { tok: "id", lit: it.lit } : it;
  }
  peek(values = true): Item {
    return this.at(this.pos, values);
  }
  next(values = true): Item {
    return this.at(this.pos++, values);
  }

  parse(): Requirement[] {
    const out: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek();
      if (tok === "end") return out;
      if (tok !== "id" && tok !== "!") throw new LabelSelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        out.push(this.requirement());
      } catch (e) {
        throw e instanceof LabelSelectorError ? new LabelSelectorError(`unable to parse requirement: ${e.message}`) : e;
      }
      const after = this.next();
      if (after.tok === "end") return out;
      if (after.tok !== ",") throw new LabelSelectorError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.tok !== "id" && following.tok !== "!") throw new LabelSelectorError(`found '${following.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let first = this.next();
    const negated = first.tok === "!";
    if (negated) first = this.next();
    if (first.tok !== "id") throw new LabelSelectorError(`found '${first.lit}', expected: identifier`);
    const key = first.lit;
    const keyErrors = isQualifiedName(key);
    if (keyErrors.length) throw new LabelSelectorError(`<nil>: Invalid value: ${goQuote(key)}: ${keyErrors.join("; ")}`);
    const ahead = this.peek().tok;
    // `!key` ends the requirement whatever follows (the caller then refuses what follows).
    if (negated) return checked(key, "!", []);
    if (ahead === "end" || ahead === ",") return checked(key, "exists", []);
    const op = this.operator();
    const values = op === "in" || op === "notin" ? this.valueSet() : this.exactValue();
    return checked(key, op, values);
  }

  private operator(): Operator {
    const { tok, lit } = this.next(false);
    const ops: Partial<Record<Tok, Operator>> = { in: "in", "=": "=", "==": "==", ">": "gt", "<": "lt", notin: "notin", "!=": "!=" };
    const op = ops[tok];
    if (!op) throw new LabelSelectorError(`found '${lit}', expected: in, notin, =, ==, !=, gt, lt`);
    return op;
  }

  private valueSet(): Set<string> {
    const open = this.next();
    if (open.tok !== "(") throw new LabelSelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.peek();
    if (tok === ")") {
      this.next();
      return new Set([""]);
    }
    if (tok !== "id" && tok !== ",") throw new LabelSelectorError(`found '${lit}', expected: ',', ')' or identifier`);
    const set = this.identifiers();
    this.next(); // the ")" identifiers() saw ahead
    return set;
  }

  /** A possibly empty list of possibly empty values up to ")": `(a,,b)`, `(,a)`, `(a,)`. */
  private identifiers(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const { tok, lit } = this.next();
      if (tok === "id") {
        set.add(lit);
        const ahead = this.peek();
        if (ahead.tok === ",") continue;
        if (ahead.tok === ")") return set;
        throw new LabelSelectorError(`found '${ahead.lit}', expected: ',' or ')'`);
      }
      if (tok !== ",") throw new LabelSelectorError(`found '${lit}', expected: ',', or identifier`);
      if (set.size === 0) set.add("");
      const ahead = this.peek().tok;
      if (ahead === ")") {
        set.add("");
        return set;
      }
      if (ahead === ",") set.add("");
    }
  }

  private exactValue(): Set<string> {
    const ahead = this.peek().tok;
    if (ahead === "end" || ahead === ",") return new Set([""]);
    const { tok, lit } = this.next();
    if (tok !== "id") throw new LabelSelectorError(`found '${lit}', expected: identifier`);
    return new Set([lit]);
  }
}

/** strconv.ParseInt(s, 10, 64) succeeds. */
export function isInt64(s: string): boolean {
  if (!/^[+-]?\d+$/.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** Go's sort.Strings: byte order of the UTF-8 encodings. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** NewRequirement's checks of a parsed requirement, errors aggregated as apimachinery aggregates them. */
function checked(key: string, op: Operator, valueSet: Iterable<string>): Requirement {
  const values = [...valueSet].sort(byteOrder);
  const errs: string[] = [];
  if (op === "gt" || op === "lt") {
    values.forEach((v, i) => {
      if (!isInt64(v)) errs.push(`values[${i}]: Invalid value: ${goQuote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
    });
  }
  values.forEach((v, i) => {
    const bad = isValidLabelValue(v);
    if (bad.length) errs.push(`values[${i}][${key}]: Invalid value: ${goQuote(v)}: ${bad.join("; ")}`);
  });
  const unique = [...new Set(errs)];
  if (unique.length === 1) throw new LabelSelectorError(unique[0]!);
  if (unique.length > 1) throw new LabelSelectorError(`[${unique.join(", ")}]`);
  return { key, op, values };
}

/** The requirements of a selector (none for an empty or blank one), or a LabelSelectorError in kube's words. */
export function parseLabelSelector(selector: string): Requirement[] {
  return new Parser(lex(selector)).parse();
}

/** Whether labels satisfy one requirement (Requirement.Matches). */
export function matchesRequirement(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case "in":
    case "=":
    case "==":
      return has && r.values.includes(v!);
    case "notin":
    case "!=":
      return !has || !r.values.includes(v!);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || !isInt64(v!)) return false;
      const n = BigInt(v!);
      const bound = BigInt(r.values[0]!);
      return r.op === "gt" ? n > bound : n < bound;
    }
  }
}
