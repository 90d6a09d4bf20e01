/**
 * Go's fmt verbs as apimachinery's field errors use them (`%q`, `%v`, `%#v` of values decoded from JSON), so our
 * messages read byte for byte like kube-apiserver's.
 */

/** strconv.Quote: Go string literal syntax, keeping printable Unicode as is. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (isNonPrintable(cp)) out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/** Not unicode.IsPrint: Go prints letters, marks, numbers, punctuation, symbols and the ASCII space only. */
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
function isNonPrintable(cp: number): boolean {
  return cp !== 0x20 && !printable.test(String.fromCodePoint(cp));
}

/**
 * `%v` of a float64 or int64 decoded from JSON. Go prints floats like JavaScript (shortest round-trip digits,
 * exponent from 1e21 up) except that it switches to an exponent below 1e-4 and pads it to two digits.
 */
export function goNumber(n: number): string {
  if (Number.isInteger(n) || n === 0 || !Number.isFinite(n)) return goExponent(String(n));
  if (Math.abs(n) < 1e-4) return goExponent(n.toExponential());
  return goExponent(String(n));
}

function goExponent(s: string): string {
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

/** `%#v` of a value decoded from JSON (map[string]interface{}, []interface{}, scalars). */
export function goSharpV(v: unknown): string {
  if (v === null || v === undefined) return "interface {}(nil)";
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number") return goNumber(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map((x) => goSharpV(x)).join(", ")}}`;
  // Go prints map keys sorted.
  const entries = Object.keys(v as object)
    .sort()
    .map((k) => `${goQuote(k)}:${goSharpV((v as Record<string, unknown>)[k])}`);
  return `map[string]interface {}{${entries.join(", ")}}`;
}

/**
 * How field.Error.ErrorBody prints a bad value (apimachinery ≥ 1.3x, as kube-apiserver 1.37): strings quoted,
 * numbers and booleans bare, nil as `null`, maps and slices as Go's json.Marshal writes them.
 */
export function goBadValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number") return goNumber(v);
  if (typeof v === "boolean") return String(v);
  return goJSON(v);
}

/** encoding/json's Marshal of a value decoded from JSON: map keys sorted, <, > and & escaped. */
export function goJSON(v: unknown): string {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted);
    if (x !== null && typeof x === "object") {
      return Object.fromEntries(
        Object.keys(x)
          .sort()
          .map((k) => [k, sorted((x as Record<string, unknown>)[k])]),
      );
    }
    return x;
  };
  return JSON.stringify(sorted(v)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
