/**
 * json.Unmarshal of a continue token's bytes into k8s.io/apiserver's continueToken struct
 * (`v` string, `rv` int64, `start` string), with Go's errors: its syntax errors (go-json.ts), then the first type
 * error (`json: cannot unmarshal number into Go struct field continueToken.v of type string`). Keys match fields
 * as encoding/json matches them (exactly, else case-insensitively); null and unknown keys change nothing.
 */
import { goJSONSyntaxError } from "./go-json.js";

export interface ContinueToken {
  v: string;
  rv: bigint;
  start: string;
}

type Kind = "string" | "number" | "bool" | "null" | "object" | "array";

/** The end (exclusive) of the JSON value starting at i in syntactically valid data. */
function valueEnd(d: Uint8Array, i: number): number {
  const c = d[i]!;
  if (c === 0x22) {
    let j = i + 1;
    while (d[j] !== 0x22) j += d[j] === 0x5c ? 2 : 1;
    return j + 1;
  }
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; ; j++) {
      const b = d[j]!;
      if (b === 0x22) j = valueEnd(d, j) - 1;
      else if (b === 0x7b || b === 0x5b) depth++;
      else if ((b === 0x7d || b === 0x5d) && --depth === 0) return j + 1;
    }
  }
  let j = i;
  while (j < d.length && !",}] \t\r\n".includes(String.fromCharCode(d[j]!))) j++;
  return j;
}

const kindOf = (c: number): Kind =>
  c === 0x22 ? "string" : c === 0x7b ? "object" : c === 0x5b ? "array" : c === 0x74 || c === 0x66 ? "bool" : c === 0x6e ? "null" : "number";

/** Unicode simple folding as far as it reaches ASCII letters (the Kelvin sign is k, the long s is s). */
const fold = (s: string) => s.replace(/\u212a/g, "k").replace(/\u017f/g, "s").toLowerCase();

const fields = ["v", "rv", "start"] as const;
type Field = (typeof fields)[number];
const fieldOf = (key: string): Field | undefined => fields.find((f) => f === key) ?? fields.find((f) => f === fold(key));

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function decodeContinueJSON(d: Uint8Array): { token: ContinueToken } | { error: string } {
  const syntax = goJSONSyntaxError(d);
  if (syntax) return { error: syntax };
  const text = (a: number, b: number) => Buffer.from(d.buffer, d.byteOffset + a, b - a).toString("utf8");
  const skip = (i: number) => {
    while (i < d.length && " \t\r\n".includes(String.fromCharCode(d[i]!))) i++;
    return i;
  };
  const token: ContinueToken = { v: "", rv: 0n, start: "" };
  let i = skip(0);
  const top = kindOf(d[i]!);
  if (top === "null") return { token };
  if (top !== "object") return { error: `json: cannot unmarshal ${top} into Go value of type storage.continueToken` };
  let first: string | undefined;
  i = skip(i + 1);
  while (d[i] !== 0x7d) {
    const keyEnd = valueEnd(d, i);
    const field = fieldOf(JSON.parse(text(i, keyEnd)) as string);
    i = skip(skip(keyEnd) + 1); // past the colon
    const end = valueEnd(d, i);
    const kind = kindOf(d[i]!);
    const raw = text(i, end);
    const typeError = (what: string, type: string) => (first ??= `json: cannot unmarshal ${what} into Go struct field continueToken.${field} of type ${type}`);
    if (field && kind !== "null") {
      if (field === "rv") {
        const n = kind === "number" && /^-?\d+$/.test(raw) ? BigInt(raw) : undefined;
        if (n !== undefined && n >= INT64_MIN && n <= INT64_MAX) token.rv = n;
        else typeError(kind === "number" ? `number ${raw}` : kind, "int64");
      } else if (kind === "string") token[field] = JSON.parse(raw) as string;
      else typeError(kind, "string");
    }
    i = skip(end);
    if (d[i] === 0x2c) i = skip(i + 1);
  }
  return first ? { error: first } : { token };
}
