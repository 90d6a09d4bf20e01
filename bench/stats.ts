/** Order statistics for the benchmark: nearest-rank percentiles on a copy, medians of round values. */

/** The p-th percentile (0–100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (samples: readonly number[]): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const min = (samples: readonly number[]): number => (samples.length ? Math.min(...samples) : Number.NaN);
export const max = (samples: readonly number[]): number => (samples.length ? Math.max(...samples) : Number.NaN);

/** Milliseconds since `t0` (a `performance.now()` reading). */
export const since = (t0: number): number => performance.now() - t0;
