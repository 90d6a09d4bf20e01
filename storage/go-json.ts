/**
 * Go's encoding/json syntax check (the scanner json.Unmarshal runs before decoding), for its error texts:
 * kube-apiserver words a continue token that decodes to no JSON with them (`invalid character 'x' looking for
 * beginning of value`, `unexpected end of JSON input`, …). Byte by byte, as Go scans, with its nesting limit.
 */

const MAX_DEPTH = 10_000;

/** quoteChar: a byte as Go quotes it in a syntax error ('x', '\'', '"', '\x01', '\u0085'). */
export function quoteByte(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const named: Record<number, string> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 0x5c: "\\\\" };
  if (named[c]) return `'${named[c]}'`;
  const hex = c.toString(16).padStart(2, "0");
  if (c < 0x20 || c === 0x7f) return `'\\x${hex}'`;
  // The byte read as a rune (Latin-1): C1 controls, no-break space and soft hyphen are not printable to Go.
  if ((c >= 0x80 && c < 0xa1) || c === 0xad) return `'\\u00${hex}'`;
  return `'${String.fromCharCode(c)}'`;
}

type Ctx = "key" | "value" | "element";
type Step = (c: number) => Step | string;

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** The syntax error json.Unmarshal reports for data, or undefined when data is one valid JSON value. */
export function goJSONSyntaxError(data: Uint8Array): string | undefined {
  const stack: Ctx[] = [];
  let endTop = false;
  const err = (c: number, context: string) => `invalid character ${quoteByte(c)} ${context}`;

  const push = (ctx: Ctx, c: number, next: Step): Step | string => {
    stack.push(ctx);
    return stack.length > MAX_DEPTH ? err(c, "exceeded max depth") : next;
  };
  const pop = (): Step => {
    stack.pop();
    if (stack.length === 0) {
      endTop = true;
      return endTopState;
    }
    return endValue;
  };
  const endTopState: Step = (c) => (isSpace(c) ? endTopState : err(c, "after top-level value"));
  const endValue: Step = (c) => {
    if (stack.length === 0) {
      endTop = true;
      return endTopState(c);
    }
    if (isSpace(c)) return endValue;
    switch (stack[stack.length - 1]) {
      case "key":
        if (c === 0x3a) {
          stack[stack.length - 1] = "value";
          return beginValue;
        }
        return err(c, "after object key");
      case "value":
        if (c === 0x2c) {
          stack[stack.length - 1] = "key";
          return beginString;
        }
        if (c === 0x7d) return pop();
        return err(c, "after object key:value pair");
      default:
        if (c === 0x2c) return beginValue;
        if (c === 0x5d) return pop();
        return err(c, "after array element");
    }
  };
  const literal = (word: string, at: number): Step => (c) => {
    if (c !== word.charCodeAt(at)) return err(c, `in literal ${word} (expecting '${word[at]}')`);
    return at + 1 === word.length ? endValue : literal(word, at + 1);
  };
  const exponentDigits: Step = (c) => (isDigit(c) ? exponentDigits : endValue(c));
  const exponentSign: Step = (c) => (isDigit(c) ? exponentDigits : err(c, "in exponent of numeric literal"));
  const exponent: Step = (c) => (c === 0x2b || c === 0x2d ? exponentSign : exponentSign(c));
  const fraction: Step = (c) => (isDigit(c) ? fraction : c === 0x65 || c === 0x45 ? exponent : endValue(c));
  const dot: Step = (c) => (isDigit(c) ? fraction : err(c, "after decimal point in numeric literal"));
  const zero: Step = (c) => (c === 0x2e ? dot : c === 0x65 || c === 0x45 ? exponent : endValue(c));
  const digits: Step = (c) => (isDigit(c) ? digits : zero(c));
  const negative: Step = (c) => (c === 0x30 ? zero : c >= 0x31 && c <= 0x39 ? digits : err(c, "in numeric literal"));
  const unicodeEscape = (left: number): Step => (c) => (!isHex(c) ? err(c, "in \\u hexadecimal character escape") : left === 1 ? inString : unicodeEscape(left - 1));
  const escape: Step = (c) => ('bfnrt\\/"'.includes(String.fromCharCode(c)) ? inString : c === 0x75 ? unicodeEscape(4) : err(c, "in string escape code"));
  const inString: Step = (c) => (c === 0x22 ? endValue : c === 0x5c ? escape : c < 0x20 ? err(c, "in string literal") : inString);
  const beginString: Step = (c) => (isSpace(c) ? beginString : c === 0x22 ? inString : err(c, "looking for beginning of object key string"));
  const beginStringOrEmpty: Step = (c) => {
    if (isSpace(c)) return beginStringOrEmpty;
    if (c === 0x7d) return pop();
    return beginString(c);
  };
  const beginValueOrEmpty: Step = (c) => {
    if (isSpace(c)) return beginValueOrEmpty;
    if (c === 0x5d) return pop();
    return beginValue(c);
  };
  const beginValue: Step = (c) => {
    if (isSpace(c)) return beginValue;
    switch (c) {
      case 0x7b:
        return push("key", c, beginStringOrEmpty);
      case 0x5b:
        return push("element", c, beginValueOrEmpty);
      case 0x22:
        return inString;
      case 0x2d:
        return negative;
      case 0x30:
        return zero;
      case 0x74:
        return literal("true", 1);
      case 0x66:
        return literal("false", 1);
      case 0x6e:
        return literal("null", 1);
    }
    return c >= 0x31 && c <= 0x39 ? digits : err(c, "looking for beginning of value");
  };

  let step: Step = beginValue;
  for (const c of data) {
    const next = step(c);
    if (typeof next === "string") return next;
    step = next;
  }
  if (endTop) return undefined;
  // End of input: Go steps once more with a space, which ends a number in progress, or is itself the error
  // (`invalid character ' ' in numeric literal` for "-"); anything else is unfinished.
  const last = step(0x20);
  if (typeof last === "string") return last;
  return endTop ? undefined : "unexpected end of JSON input";
}
