/**
 * Merging an applied configuration into the live object (TypedValue.Merge of structured-merge-diff): the
 * configuration wins for every leaf it sets, objects merge key by key, granular lists merge item by item
 * (matched by key or value) and atomic lists are replaced whole. A null in the configuration replaces a leaf
 * but does not wipe a non-empty object or list, as upstream.
 */
import { isDeepStrictEqual } from "node:util";
import { fieldType, UNTYPED, type FieldType } from "./field-types.js";
import type { PathElement } from "./fieldpath.js";
import { isPlainObject } from "../../lib/objects.js";
import { indexList, shapeOf } from "./typed.js";

export function merge(live: unknown, config: unknown, t: FieldType): unknown {
  if (config === undefined) return live;
  if (live === undefined) return config;
  const shape = shapeOf(t, live, config);
  if (shape === "object") {
    const l = live === null ? {} : live;
    const r = config === null ? {} : config;
    if (!isPlainObject(l) || !isPlainObject(r)) return config;
    // Both empty: the config's value (null or {}) is kept as a leaf would be.
    if (Object.keys(l).length === 0 && Object.keys(r).length === 0) return config;
    const out: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(l), ...Object.keys(r)])) {
      out[k] = merge(l[k], r[k], fieldType(t, k) ?? UNTYPED);
    }
    return out;
  }
  if (shape === "list" && t.kind === "list") {
    const l = live === null ? [] : live;
    const r = config === null ? [] : config;
    if (!Array.isArray(l) || !Array.isArray(r)) return config;
    if (l.length === 0 && r.length === 0) return config;
    return mergeList(l, r, t);
  }
  return config;
}

const id = (pe: PathElement): string => JSON.stringify(pe);

/**
 * The items of both lists, ordered as upstream's mergingWalker orders them: items in both lists follow the
 * configuration's order, items only in the live list keep their place among them, new items come where the
 * configuration puts them.
 */
function mergeList(live: unknown[], config: unknown[], t: FieldType & { kind: "list" }): unknown[] {
  const lhs = indexList(t, live);
  const rhs = indexList(t, config);
  const observedL = new Map(lhs.map((x) => [id(x.pe), x.item]));
  const observedR = new Map(rhs.map((x) => [id(x.pe), x.item]));
  const sharedOrder = rhs.map((x) => id(x.pe)).filter((k) => observedL.has(k));
  let nextShared = sharedOrder.shift();
  const mergedR = new Set<string>();
  const out: unknown[] = [];
  const item = (k: string): unknown => merge(observedL.get(k), observedR.get(k), t.element);

  let li = 0;
  let ri = 0;
  while (li < lhs.length || ri < rhs.length) {
    if (li < lhs.length && ri < rhs.length) {
      const lk = id(lhs[li]!.pe);
      if (lk === id(rhs[ri]!.pe)) {
        mergedR.add(lk);
        out.push(item(lk));
        li++;
        ri++;
        nextShared = sharedOrder.shift();
        continue;
      }
      // A shared item that the configuration wants later: it is written when the configuration reaches it.
      if (observedR.has(lk) && nextShared !== undefined && nextShared !== lk) {
        li++;
        continue;
      }
    }
    if (li < lhs.length) {
      const lk = id(lhs[li]!.pe);
      if (!observedR.has(lk)) {
        out.push(lhs[li]!.item);
        li++;
        continue;
      }
      if (mergedR.has(lk)) {
        li++;
        continue;
      }
    }
    if (ri < rhs.length) {
      const rk = id(rhs[ri]!.pe);
      mergedR.add(rk);
      out.push(item(rk));
      ri++;
      if (nextShared === rk) nextShared = sharedOrder.shift();
    }
  }
  return out;
}

/** Whether two objects are the same (the live object before and after an apply). */
export const sameValue = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);
