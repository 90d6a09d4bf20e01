/**
 * A member's about.k8s.io ClusterProperties as the profile lists them: name, value, and when the current value
 * was first seen. A value longer than the ClusterProfile schema allows (1,024 characters) cannot be published:
 * it is left out and reported once per value, not on every event.
 */

export const MAX_PROPERTY_VALUE = 1024;

export interface ClusterPropertyLike {
  metadata?: { name?: string };
  spec?: { value?: unknown };
}

export interface ObservedProperty {
  name: string;
  value: string;
  /** RFC 3339, whole seconds. */
  firstSeen: string;
}

export interface DroppedProperty {
  name: string;
  length: number;
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export class PropertyTracker {
  readonly #props = new Map<string, ObservedProperty>();
  /** Oversized values already reported, by name. */
  readonly #dropped = new Map<string, string>();

  /**
   * Records an added or updated ClusterProperty. Returns whether the published list changed, and the property
   * when it is newly left out for its size (for the caller to log).
   */
  upsert(p: ClusterPropertyLike, now: Date): { changed: boolean; dropped?: DroppedProperty } {
    const name = p.metadata?.name ?? "";
    const value = typeof p.spec?.value === "string" ? p.spec.value : "";
    if (!name) return { changed: false };
    if (value.length > MAX_PROPERTY_VALUE || value === "") {
      const changed = this.#props.delete(name);
      if (value === "" || this.#dropped.get(name) === value) return { changed };
      this.#dropped.set(name, value);
      return { changed, dropped: { name, length: value.length } };
    }
    this.#dropped.delete(name);
    if (this.#props.get(name)?.value === value) return { changed: false };
    this.#props.set(name, { name, value, firstSeen: rfc3339(now) });
    return { changed: true };
  }

  remove(p: ClusterPropertyLike): boolean {
    const name = p.metadata?.name ?? "";
    this.#dropped.delete(name);
    return this.#props.delete(name);
  }

  clear(): boolean {
    const had = this.#props.size > 0;
    this.#props.clear();
    this.#dropped.clear();
    return had;
  }

  /** Sorted by name (the list-map key), so equal sets print equally. */
  list(): ObservedProperty[] {
    return [...this.#props.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
