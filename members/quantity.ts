/**
 * Kubernetes resource quantities (`8`, `3500m`, `16Gi`, `1e3`): parse, add, and print in the canonical form
 * apimachinery's resource.Quantity prints, so the sums we publish read exactly like `kubectl` shows them.
 *
 * Written here rather than taken from npm: client-node's `quantityToScalar` loses precision (floats for `m`,
 * no `1.5Gi`, no exponents) and prints nothing, and the npm parsers we looked at (kubernetes-resource-parser,
 * k8s-resource-parser) only parse to numbers; none canonicalizes. Values are exact: a bigint of nano-units,
 * the finest scale a Quantity keeps (finer input is rounded up, as ParseQuantity does).
 */

/** How a quantity prints its suffix; a sum keeps the format of its first non-zero term, as Quantity.Add does. */
export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

export interface Quantity {
  /** The value times 10^9. */
  nanos: bigint;
  format: QuantityFormat;
}

export class QuantityError extends Error {
  override name = "QuantityError";
}

const NANO = 1_000_000_000n;
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX = new Map(Object.entries(DECIMAL).map(([s, e]) => [e, s]));
const BINARY_SUFFIX = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
const NUMBER = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/;

export const zeroQuantity: Quantity = Object.freeze({ nanos: 0n, format: "DecimalSI" as QuantityFormat });

/** Division rounding away from zero (inf.RoundUp), for input finer than a nano-unit. */
function divAway(n: bigint, d: bigint): bigint {
  const q = n / d;
  return q * d === n ? q : n < 0n ? q - 1n : q + 1n;
}

export function parseQuantity(text: string): Quantity {
  const m = NUMBER.exec(text);
  if (!m) throw new QuantityError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(text)}`);
  const [, sign, num, suffix] = m as unknown as [string, string, string, string];
  const [intPart = "", fracPart = ""] = num.split(".");
  // value = digits / 10^fracLen, then times the suffix's multiplier, held as nanos.
  let n = BigInt((intPart || "0") + fracPart) * (sign === "-" ? -1n : 1n);
  let d = 10n ** BigInt(fracPart.length);
  let format: QuantityFormat;
  if (suffix in BINARY) {
    format = "BinarySI";
    n *= 1024n ** BigInt(BINARY[suffix]!);
  } else {
    let exp: number;
    if (suffix in DECIMAL) {
      format = "DecimalSI";
      exp = DECIMAL[suffix]!;
    } else if (/^[eE][+-]?\d+$/.test(suffix)) {
      format = "DecimalExponent";
      exp = Number(suffix.slice(1));
      // Far beyond anything a Quantity can hold; refuse rather than build a gigantic bigint.
      if (Math.abs(exp) > 100) throw new QuantityError(`quantity exponent out of range: ${JSON.stringify(text)}`);
    } else {
      throw new QuantityError(`unable to parse quantity's suffix: ${JSON.stringify(text)}`);
    }
    if (exp >= 0) n *= 10n ** BigInt(exp);
    else d *= 10n ** BigInt(-exp);
  }
  return { nanos: divAway(n * NANO, d), format };
}

/** a + b; the result takes b's format when a is zero (Quantity.Add), so a sum starting at zero takes its first term's. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** The canonical string, as Quantity.String() prints it. */
export function formatQuantity(q: Quantity): string {
  const v = q.nanos;
  if (v === 0n) return "0";
  const abs = v < 0n ? -v : v;
  if (q.format === "BinarySI" && abs >= 1024n * NANO && v % NANO === 0n) {
    // Whole numbers of 1024 and up print with the largest binary suffix that keeps an integer mantissa.
    let mantissa = v / NANO;
    let exp = 0;
    while (exp < 6 && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      exp++;
    }
    return `${mantissa}${BINARY_SUFFIX[exp]}`;
  }
  // Decimal: strip trailing zeros, then bring the exponent down to a multiple of 3 (3500m, not 35e-1).
  let mantissa = v;
  let exp = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exp++;
  }
  const r = ((exp % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(r);
  exp -= r;
  if (q.format === "DecimalExponent") return exp === 0 ? `${mantissa}` : `${mantissa}e${exp}`;
  // BinarySI that could not print exactly (below 1024, or fractional) falls back to DecimalSI, as upstream.
  const suffix = DECIMAL_SUFFIX.get(exp);
  return suffix !== undefined ? `${mantissa}${suffix}` : `${mantissa}e${exp}`;
}

/** Canonical form of one quantity string (throws QuantityError on garbage). */
export function canonicalQuantity(text: string): string {
  return formatQuantity(parseQuantity(text));
}

/**
 * Sums quantity strings; `undefined` entries (a Node without that resource) count as zero. Unparsable entries
 * are skipped and counted in `invalid`, so one odd Node does not blank a member's totals.
 */
export function sumQuantities(values: Iterable<string | undefined>): { total: string; invalid: number } {
  let acc: Quantity = zeroQuantity;
  let invalid = 0;
  for (const v of values) {
    if (v === undefined) continue;
    try {
      acc = addQuantities(acc, parseQuantity(v));
    } catch {
      invalid++;
    }
  }
  return { total: formatQuantity(acc), invalid };
}
