/**
 * The bounded window of recent changes: a ring buffer ordered by revision. It answers two questions:
 * which changes follow revision n (watch resume), and what a prefix looked like at revision n (lists at an exact
 * revision, continue tokens), by undoing the newer changes on top of the current state.
 */
import { StorageError, type KubeObject } from "./interface.js";
import type { HistoryEntry } from "./change.js";

export class History {
  private ring: (HistoryEntry | undefined)[];
  private head = 0; // index of the oldest entry
  private size = 0;
  /** Changes at or below this revision may be gone: resuming from an older revision would miss some. */
  private evicted: number;

  constructor(
    private readonly capacity: number,
    startRevision: number,
  ) {
    this.ring = new Array<HistoryEntry | undefined>(Math.max(1, capacity));
    this.evicted = startRevision;
  }

  /** The oldest revision n from which every later change is still known. */
  get oldestResumable(): number {
    return this.evicted;
  }

  get length(): number {
    return this.size;
  }

  push(entry: HistoryEntry): void {
    if (this.size === this.ring.length) {
      const oldest = this.ring[this.head];
      if (oldest !== undefined) this.evicted = oldest.revision;
      this.ring[this.head] = entry;
      this.head = (this.head + 1) % this.ring.length;
      return;
    }
    this.ring[(this.head + this.size) % this.ring.length] = entry;
    this.size++;
  }

  /** Forget everything: the window restarts at revision (after a resync with the backend). */
  reset(revision: number): void {
    this.ring = new Array<HistoryEntry | undefined>(Math.max(1, this.capacity));
    this.head = 0;
    this.size = 0;
    this.evicted = revision;
  }

  assertResumable(revision: number, key: string): void {
    if (revision < this.evicted) {
      throw new StorageError(
        "Expired",
        key,
        // kube-apiserver's watch cache words it so: the revision asked for, then the oldest it still has.
        `too old resource version: ${revision} (${this.evicted})`,
      );
    }
  }

  private at(i: number): HistoryEntry {
    const e = this.ring[(this.head + i) % this.ring.length];
    if (e === undefined) throw new Error("history ring hole");
    return e;
  }

  /** Logical index of the first entry with revision > revision. */
  private firstAfter(revision: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Changes with from < revision <= to, oldest first (to defaults to everything). */
  *between(from: number, to = Number.MAX_SAFE_INTEGER): Generator<HistoryEntry> {
    for (let i = this.firstAfter(from); i < this.size; i++) {
      const e = this.at(i);
      if (e.revision > to) return;
      yield e;
    }
  }

  /**
   * For keys under prefix changed in (from, to]: their state at revision from (null: absent then). Applied over
   * the state at revision to, this gives the state at revision from. Caller checks assertResumable(from) first.
   */
  undoBetween(prefix: string, from: number, to: number): Map<string, KubeObject | null> {
    const overlay = new Map<string, KubeObject | null>();
    for (const e of this.between(from, to)) {
      if (!e.key.startsWith(prefix) || overlay.has(e.key)) continue;
      // The first change after `from` to a key knows the key's state at `from`.
      overlay.set(e.key, e.type === "ADDED" ? null : (e.prev ?? null));
    }
    return overlay;
  }
}
