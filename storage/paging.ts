/**
 * One page of a list, cut from a sorted source (the watch cache's state, or a snapshot read from level), seen
 * at an older revision through an overlay of undone changes when needed. Shared by every store that lists from
 * memory so that limit, continue and remainingItemCount behave the same everywhere.
 */
import type { KubeObject, ListResult } from "./interface.js";
import { encodeContinue, keyAfter } from "./continue-token.js";
import { lowerBound, prefixEnd, type SortedSource } from "./sorted-index.js";

export interface PageRequest {
  prefix: string;
  /** First key to consider (the prefix itself, or a continue token's key). */
  startKey: string;
  /** The revision the source plus overlay reflect; every page of one list carries it. */
  revision: number;
  /** 0: no limit. */
  limit: number;
  predicate?: (obj: KubeObject) => boolean;
  /** Keys whose state at `revision` differs from the source: the object then, or null if absent then. */
  overlay?: ReadonlyMap<string, KubeObject | null>;
}

export function listPage(src: SortedSource, req: PageRequest): ListResult {
  const { prefix, predicate, overlay, limit } = req;
  const end = prefixEnd(prefix);
  const inRange = (k: string) => k >= req.startKey && k.startsWith(prefix);
  const keys = src.keys;
  const stopAt = end === "" ? keys.length : lowerBound(keys, end);
  let i = lowerBound(keys, req.startKey < prefix ? prefix : req.startKey);

  // Keys that existed at `revision` but are gone from the source: merged into the walk in order.
  const extra: string[] = [];
  if (overlay !== undefined) {
    for (const [k, v] of overlay) if (v !== null && src.get(k) === undefined && inRange(k)) extra.push(k);
    extra.sort();
  }
  let j = 0;
  const nextKey = (): string | undefined => {
    const a = i < stopAt ? keys[i] : undefined;
    const b = extra[j];
    if (a === undefined && b === undefined) return undefined;
    if (b === undefined || (a !== undefined && a < b)) {
      i++;
      return a;
    }
    j++;
    return b;
  };
  const valueAt = (k: string): KubeObject | undefined => {
    if (overlay !== undefined && overlay.has(k)) return overlay.get(k) ?? undefined;
    return src.get(k);
  };

  const items: KubeObject[] = [];
  let lastKey: string | undefined;
  for (let k = nextKey(); k !== undefined; k = nextKey()) {
    const obj = valueAt(k);
    if (obj === undefined || (predicate !== undefined && !predicate(obj))) continue;
    items.push(obj);
    lastKey = k;
    if (limit > 0 && items.length >= limit) break;
  }
  const result: ListResult = { items, revision: req.revision };
  if (lastKey === undefined || limit <= 0 || items.length < limit) return result;

  // Cut by the limit: a continue token only if some object follows (it may still fail the predicate, as with
  // kube-apiserver over etcd, where the next page may then come back empty with no token).
  for (let k = nextKey(); k !== undefined; k = nextKey()) {
    if (valueAt(k) === undefined) continue;
    const after = keyAfter(lastKey);
    result.continue = encodeContinue(prefix, req.revision, after);
    if (predicate === undefined) result.remainingItemCount = countFrom(src, after, end, overlay);
    break;
  }
  return result;
}

/** Objects at the requested revision with keys in [from, end). */
function countFrom(
  src: SortedSource,
  from: string,
  end: string,
  overlay: ReadonlyMap<string, KubeObject | null> | undefined,
): number {
  const keys = src.keys;
  let n = (end === "" ? keys.length : lowerBound(keys, end)) - lowerBound(keys, from);
  if (overlay !== undefined) {
    for (const [k, v] of overlay) {
      if (k < from || (end !== "" && k >= end)) continue;
      n += (v !== null ? 1 : 0) - (src.get(k) !== undefined ? 1 : 0);
    }
  }
  return Math.max(0, n);
}
