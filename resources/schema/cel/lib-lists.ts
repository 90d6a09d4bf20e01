/**
 * kube's CEL lists library (k8s.io/apiserver/pkg/cel/library/lists.go): isSorted, sum, min, max, indexOf,
 * lastIndexOf. kube picks the overload from the checked element type; here it is chosen from the values, so the
 * sum of an empty list is int 0 whatever the element type, and durations are not summed.
 */
import { celMethod, CelScalar, isCelUint, celUint, listType, type CelList, type CelValue } from "@bufbuild/cel";
import { celCompare, celEquals } from "./ops.js";

const LIST = listType(CelScalar.DYN);
const { DYN, BOOL, INT } = CelScalar;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function sum(l: CelList): CelValue {
  const items = [...l];
  if (items.every((v) => typeof v === "bigint")) {
    const total = items.reduce<bigint>((a, v) => a + (v as bigint), 0n);
    if (total > INT64_MAX || total < INT64_MIN) throw new Error("integer overflow");
    return total;
  }
  if (items.every((v) => typeof v === "number")) return items.reduce<number>((a, v) => a + (v as number), 0);
  if (items.every(isCelUint)) {
    const total = items.reduce<bigint>((a, v) => a + (v as { value: bigint }).value, 0n);
    if (total >= 1n << 64n) throw new Error("unsigned integer overflow");
    return celUint(total);
  }
  throw new Error("no such overload: sum");
}

function extreme(l: CelList, name: "min" | "max"): CelValue {
  let best: CelValue | undefined;
  for (const v of l) if (best === undefined || celCompare(v, best) === (name === "min" ? -1 : 1)) best = v;
  if (best === undefined) throw new Error(`${name} called on empty list`);
  return best;
}

export const listsFuncs = [
  celMethod("isSorted", LIST, [], BOOL, function () {
    const items = [...this];
    return items.every((v, i) => i === 0 || celCompare(items[i - 1]!, v) <= 0);
  }),
  celMethod("sum", LIST, [], DYN, function () {
    return sum(this);
  }),
  celMethod("min", LIST, [], DYN, function () {
    return extreme(this, "min");
  }),
  celMethod("max", LIST, [], DYN, function () {
    return extreme(this, "max");
  }),
  celMethod("indexOf", LIST, [DYN], INT, function (x) {
    const items = [...this];
    return BigInt(items.findIndex((v) => celEquals(v, x)));
  }),
  celMethod("lastIndexOf", LIST, [DYN], INT, function (x) {
    const items = [...this];
    for (let i = items.length - 1; i >= 0; i--) if (celEquals(items[i]!, x)) return BigInt(i);
    return -1n;
  }),
];
