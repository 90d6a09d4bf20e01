/** The dispatcher's knobs; the defaults suit production, tests and benchmarks shrink them. */
export interface DispatcherOptions {
  /** Work passes in flight at once, over all members. */
  concurrency: number;
  /** Deadline for one request to a member. */
  requestTimeoutMs: number;
  /** Backoff after a failed pass: first step and ceiling (jittered). */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Every Work gets a pass this often (±10 %) even when nothing announced a change. */
  resyncMs: number;
  /** While a deleted Work's objects are still terminating on the member, look again this often. */
  cleanupPollMs: number;
  /** Watch what Works applied (drift and status within moments); off: only resyncs notice. */
  watchApplied: boolean;
  watchTimeoutSeconds: number;
  now: () => Date;
}

export const defaultDispatcherOptions: DispatcherOptions = {
  concurrency: 64,
  requestTimeoutMs: 20_000,
  retryBaseMs: 1_000,
  retryMaxMs: 30_000,
  resyncMs: 300_000,
  cleanupPollMs: 1_000,
  watchApplied: true,
  watchTimeoutSeconds: 300,
  now: () => new Date(),
};
