/**
 * cel-go's optional values (optional.of, optional.none, hasValue, value, orValue, or), which kube's format
 * library returns and `optionalOldSelf` rules receive. @bufbuild/cel has no optional type and its parser has
 * no `.?field` / `[?index]` syntax, so a rule using that syntax fails to compile here (at load time).
 */
import { celFunc, celMethod, CelScalar, type CelValue } from "@bufbuild/cel";
import { opaqueType } from "./opaque.js";

const { DYN, BOOL } = CelScalar;

/** `undefined` is none. */
const optional = opaqueType<{ value: CelValue | undefined }>("optional_type");
export const OPTIONAL = optional.type;

export function optionalOf(value: CelValue): CelValue {
  // Equality of optionals is rare in rules; the key only tells some from none.
  return optional.wrap({ value }, "some") as CelValue;
}

export function optionalNone(): CelValue {
  return optional.wrap({ value: undefined }, "none") as CelValue;
}

/** The value inside, `undefined` for none. */
export function optionalValue(v: unknown): CelValue | undefined {
  return optional.unwrap(v).value;
}

function isZero(v: CelValue): boolean {
  if (v === null || v === false || v === "" || v === 0 || v === 0n) return true;
  if (v instanceof Uint8Array) return v.length === 0;
  if (typeof v === "object" && "size" in v && typeof v.size === "number") return v.size === 0;
  return false;
}

export const optionalFuncs = [
  celFunc("optional.of", [DYN], OPTIONAL, (v) => optionalOf(v) as never),
  celFunc("optional.none", [], OPTIONAL, () => optionalNone() as never),
  celFunc("optional.ofNonZeroValue", [DYN], OPTIONAL, (v) => (isZero(v) ? optionalNone() : optionalOf(v)) as never),
  celMethod("hasValue", OPTIONAL, [], BOOL, function () {
    return optionalValue(this) !== undefined;
  }),
  celMethod("value", OPTIONAL, [], DYN, function () {
    const v = optionalValue(this);
    // cel-go's wording.
    if (v === undefined) throw new Error("optional.none() dereference");
    return v;
  }),
  celMethod("orValue", OPTIONAL, [DYN], DYN, function (other) {
    return optionalValue(this) ?? other;
  }),
  celMethod("or", OPTIONAL, [OPTIONAL], OPTIONAL, function (other) {
    return (optionalValue(this) === undefined ? other : this) as never;
  }),
];
