/**
 * Per-Work retry timers: exponential backoff with jitter after failures (an unreachable or refusing member is
 * not hammered, and a thousand Works of members that come back together do not retry in lockstep), or a fixed
 * short poll while waiting for a member to finish deleting.
 */

/** "Equal jitter": between half and all of min(maxMs, baseMs·2^(attempt−1)). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + random() * (full / 2));
}

interface Entry {
  attempts: number;
  timer?: NodeJS.Timeout;
}

export class Retries {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly opts: { baseMs: number; maxMs: number },
    private readonly fire: (key: string) => void,
  ) {}

  /** Try `key` again later: after `afterMs`, or after the next backoff step. Replaces a pending timer. */
  schedule(key: string, afterMs?: number): number {
    let e = this.#entries.get(key);
    if (!e) this.#entries.set(key, (e = { attempts: 0 }));
    const delay = afterMs ?? backoffDelay(++e.attempts, this.opts.baseMs, this.opts.maxMs);
    if (e.timer) clearTimeout(e.timer);
    const entry = e;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.fire(key);
    }, delay);
    entry.timer.unref();
    return delay;
  }

  /** A pass succeeded: the next failure starts from the first step again. */
  forget(key: string): void {
    const e = this.#entries.get(key);
    if (e?.timer) clearTimeout(e.timer);
    this.#entries.delete(key);
  }

  clear(): void {
    for (const key of [...this.#entries.keys()]) this.forget(key);
  }

  /** Works with a retry pending. */
  get pending(): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.timer) n++;
    return n;
  }
}
