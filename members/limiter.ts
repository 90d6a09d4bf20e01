/**
 * At most `n` holders at once, the rest queued in order. The fleet uses it so thousands of members joining at
 * once (a restart, a new leader) do not all list Nodes and probe at the same instant: that burst would time out
 * probes and flap health for everyone.
 */
export type Release = () => void;

export interface Limiter {
  acquire(): Promise<Release>;
  /** Holders now and waiters queued. */
  load(): { active: number; queued: number };
}

export function createLimiter(n: number): Limiter {
  let active = 0;
  const queue: Array<(r: Release) => void> = [];
  const grant = (resolve: (r: Release) => void) => {
    active++;
    let done = false;
    resolve(() => {
      if (done) return;
      done = true;
      active--;
      const next = queue.shift();
      if (next) grant(next);
    });
  };
  return {
    acquire: () =>
      new Promise<Release>((resolve) => {
        if (active < n) grant(resolve);
        else queue.push(resolve);
      }),
    load: () => ({ active, queued: queue.length }),
  };
}
