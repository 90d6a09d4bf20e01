/**
 * The knobs every store in this folder shares. Production uses the defaults; tests shrink the windows and
 * intervals so that expiry, eviction and bookmarks happen within milliseconds.
 */
export interface StoreTuning {
  /**
   * Events kept in memory for watch resume and for lists at an exact recent revision (continue tokens).
   * A revision older than the window answers Expired (410). Each entry only references objects that are
   * stored anyway (shared, immutable), so the cost is a few pointers per event plus replaced objects.
   */
  historyLimit: number;
  /**
   * Live events a watcher may have waiting. A watcher that falls further behind is ended with endReason
   * "too-slow" and its queue dropped, so one stalled client never holds memory or slows the others.
   */
  watchQueueLimit: number;
  /** A watcher with allowBookmarks that received nothing for this long gets a BOOKMARK. */
  bookmarkIntervalMs: number;
  /** How long a read or watch at a revision the store has not reached yet waits before TooLargeResourceVersion. */
  tooLargeWaitMs: number;
}

export const defaultTuning: StoreTuning = {
  historyLimit: 10_000,
  watchQueueLimit: 1_000,
  // kube-apiserver sends bookmarks about once a minute; clients only need one before their timeout.
  bookmarkIntervalMs: 30_000,
  // kube-apiserver's watch cache waits 3 s for a too-new resourceVersion before answering 504.
  tooLargeWaitMs: 3_000,
};

export function tuningWith(overrides: Partial<StoreTuning> | undefined): StoreTuning {
  return { ...defaultTuning, ...overrides };
}
