/**
 * kube's CEL quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go): quantity(), isQuantity(), sign,
 * comparisons, asInteger/isInteger/asApproximateFloat, add/sub (quantity or int) and mul(int). Not modelled:
 * div and divInt, whose rounding follows inf.Dec.
 */
import { celFunc, celMethod, CelScalar } from "@bufbuild/cel";
import { opaqueType } from "./opaque.js";
import { add, asInt64, compare, fraction, negate, parseQuantity, quantityKey, type Quantity } from "./quantity.js";

const { STRING, BOOL, INT, DOUBLE } = CelScalar;
const quantity = opaqueType<Quantity>("kubernetes.Quantity");
const QUANTITY = quantity.type;

const wrap = (q: Quantity) => quantity.wrap(q, quantityKey(q)) as never;
const of = (v: unknown) => quantity.unwrap(v);
const int = (n: bigint): Quantity => ({ num: n, den: 1n });

const unary = <R extends typeof BOOL | typeof INT | typeof DOUBLE>(name: string, result: R, f: (q: Quantity) => unknown) =>
  celMethod(name, QUANTITY, [], result, function () {
    return f(of(this)) as never;
  });
const binary = <R extends typeof BOOL | typeof INT | typeof QUANTITY>(name: string, arg: typeof QUANTITY | typeof INT, result: R, f: (a: Quantity, b: Quantity) => unknown) =>
  celMethod(name, QUANTITY, [arg], result, function (b) {
    return f(of(this), typeof b === "bigint" ? int(b) : of(b)) as never;
  });

export const quantityFuncs = [
  celFunc("quantity", [STRING], QUANTITY, (s) => wrap(parseQuantity(s))),
  celFunc("isQuantity", [STRING], BOOL, (s) => {
    try {
      parseQuantity(s);
      return true;
    } catch {
      return false;
    }
  }),
  // kube declares sign as a global function but documents it as a method: both spellings work.
  unary("sign", INT, (q) => BigInt(compare(q, int(0n)))),
  celFunc("sign", [QUANTITY], INT, (q) => BigInt(compare(of(q), int(0n)))),
  unary("isInteger", BOOL, (q) => asInt64(q) !== undefined),
  unary("asInteger", INT, (q) => {
    const v = asInt64(q);
    if (v === undefined) throw new Error("cannot convert value to integer");
    return v;
  }),
  unary("asApproximateFloat", DOUBLE, (q) => Number(q.num) / Number(q.den)),
  binary("isGreaterThan", QUANTITY, BOOL, (a, b) => compare(a, b) === 1),
  binary("isLessThan", QUANTITY, BOOL, (a, b) => compare(a, b) === -1),
  binary("compareTo", QUANTITY, INT, (a, b) => BigInt(compare(a, b))),
  ...[QUANTITY, INT].flatMap((arg) => [
    binary("add", arg, QUANTITY, (a, b) => wrap(add(a, b))),
    binary("sub", arg, QUANTITY, (a, b) => wrap(add(a, negate(b)))),
  ]),
  binary("mul", INT, QUANTITY, (a, b) => wrap(fraction(a.num * b.num, a.den))),
];
