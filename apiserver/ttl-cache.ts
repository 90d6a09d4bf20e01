/**
 * The one TTL cache of answers the server asks the hub for (TokenReview, SubjectAccessReview), as
 * k8s.io/apiserver's delegating authenticator and authorizer cache them: an answer is reused until its TTL runs
 * out, concurrent askers of one key share one request in flight, and errors are never cached. The bound holds:
 * at most `max` entries, the least recently used leaving first (a flood of distinct keys evicts, it never
 * empties the cache of the keys in use nor grows it past the bound).
 *
 * Built on lru-cache (isaacs, the npm ecosystem's standard LRU, no dependencies): its `fetch` already gives
 * in-flight de-duplication, a per-entry TTL and a hard `max`, the three things the hand-rolled maps in authn and
 * authz each got partly right.
 */
import { LRUCache } from "lru-cache";

export interface TTLCacheOptions<V> {
  /** How many answers are kept at most. */
  max: number;
  /** How long an answer is reused (may depend on the answer: allowed and denied differ in k8s). */
  ttlMs: number | ((value: V) => number);
  /** Clock in ms, for tests. */
  now?: () => number;
}

type Loader<V> = () => Promise<V>;

/** `now` counted from 1 at construction: lru-cache reads a start time of 0 as "no TTL", and test clocks start at 0. */
function fromOne(now: () => number): { now: () => number } {
  const origin = now() - 1;
  return { now: () => now() - origin };
}

export class TTLCache<V extends object> {
  readonly #lru: LRUCache<string, V, Loader<V>>;

  constructor(opts: TTLCacheOptions<V>) {
    const ttlOf = typeof opts.ttlMs === "number" ? () => opts.ttlMs as number : opts.ttlMs;
    this.#lru = new LRUCache<string, V, Loader<V>>({
      max: opts.max,
      // A TTL must be set here for lru-cache to track ages at all; each answer then sets its own.
      ttl: typeof opts.ttlMs === "number" ? opts.ttlMs : 1,
      // No coarse clock caching: an answer is stale the moment its TTL is over (and fake clocks work).
      ttlResolution: 0,
      ...(opts.now ? { perf: fromOne(opts.now) } : {}),
      fetchMethod: async (_key, _stale, { context, options }) => {
        const value = await context();
        options.ttl = ttlOf(value);
        return value;
      },
    });
  }

  /** The cached answer for `key`, else the one `load` gives (shared with every concurrent caller of `key`). */
  async get(key: string, load: Loader<V>): Promise<V> {
    const value = await this.#lru.fetch(key, { context: load });
    // fetchMethod always resolves to a value or rejects; undefined cannot come back.
    return value as V;
  }

  get size(): number {
    return this.#lru.size;
  }
}
