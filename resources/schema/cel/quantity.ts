/**
 * resource.Quantity values for kube's CEL quantity library: parsed as resource.ParseQuantity does (same
 * errors; precision below nano rounded away from zero, as Go rounds up) and kept as an exact fraction, so
 * comparisons and sums are exact. Not modelled: the canonical string form (kube's library prints none).
 */

export interface Quantity {
  /** Reduced; den > 0. */
  num: bigint;
  den: bigint;
}

const FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const NANO = 10n ** 9n;

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

export function parseQuantity(s: string): Quantity {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(s);
  if (!m || s === "" || `${m[2]}${m[3] ?? ""}` === "") throw new Error(FORMAT_WRONG);
  const [, sign, whole, frac = "", suffix = ""] = m;
  if (!/^[eEinumkKMGTP]*[-+]?[0-9]*$/.test(suffix)) throw new Error(FORMAT_WRONG);
  let num = BigInt(`${whole}${frac}` || "0");
  let den = 10n ** BigInt(frac.length);
  const exp = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
  let pow10: number;
  if (exp) pow10 = Number(exp[1]);
  else if (suffix in DECIMAL) pow10 = DECIMAL[suffix]!;
  else if (suffix in BINARY) {
    pow10 = 0;
    num *= 2n ** BigInt(BINARY[suffix]!);
  } else throw new Error("unable to parse quantity's suffix");
  if (pow10 >= 0) num *= 10n ** BigInt(pow10);
  else den *= 10n ** BigInt(-pow10);
  return roundToNano(fraction(sign === "-" ? -num : num, den));
}

export function fraction(num: bigint, den: bigint): Quantity {
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num < 0n ? -num : num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

function roundToNano(q: Quantity): Quantity {
  const scaled = q.num * NANO;
  if (scaled % q.den === 0n) return q;
  const away = scaled / q.den + (q.num < 0n ? -1n : 1n);
  return fraction(away, NANO);
}

export const add = (a: Quantity, b: Quantity): Quantity => fraction(a.num * b.den + b.num * a.den, a.den * b.den);
export const negate = (a: Quantity): Quantity => ({ num: -a.num, den: a.den });
export const compare = (a: Quantity, b: Quantity): number => {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

/** Quantity.AsInt64: the value when it is a whole number that fits in int64. */
export function asInt64(q: Quantity): bigint | undefined {
  if (q.den !== 1n || q.num > (1n << 63n) - 1n || q.num < -(1n << 63n)) return undefined;
  return q.num;
}

/** Equal quantities have equal keys ("1" and "1000m"), as Quantity.Equal compares values. */
export const quantityKey = (q: Quantity): string => `${q.num}/${q.den}`;
