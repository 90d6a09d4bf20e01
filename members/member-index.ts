/**
 * The member set, kept incrementally from Secret events: each event re-decides only the profiles it touches
 * (the one the Secret named before and the one it names now), so thousands of Secrets cost O(1) per event,
 * not a full re-selection. Pure (no I/O): the hub watcher feeds it, tests drive it directly.
 */
import { inNamespaces, classifySecret, pickWinner, profileKey, type MemberCandidate, type MemberSource, type SecretLike } from "./secrets.js";
import { sameBytes } from "./sensitive.js";

export type SourceChange = { type: "upsert"; key: string; source: MemberSource } | { type: "delete"; key: string; source: MemberSource };

export interface ApplyResult {
  changes: SourceChange[];
  /** Set when the Secret looks like a member Secret but cannot be one (for a log line). */
  skipped?: string;
}

/** Whether two sources differ in anything a member view or its profile depends on. */
export function sourceChanged(a: MemberSource, b: MemberSource): boolean {
  return (
    a.uid !== b.uid ||
    a.secretName !== b.secretName ||
    a.key !== b.key ||
    a.displayName !== b.displayName ||
    a.ignored.join("\n") !== b.ignored.join("\n") ||
    !sameBytes(a.kubeconfig, b.kubeconfig)
  );
}

export class MemberIndex {
  readonly #bySecret = new Map<string, MemberCandidate>();
  readonly #byProfile = new Map<string, Set<string>>();
  readonly #sources = new Map<string, MemberSource>();

  constructor(private readonly namespaces: readonly string[] = []) {}

  apply(type: "add" | "update" | "delete", secret: SecretLike): ApplyResult {
    const ns = secret.metadata?.namespace ?? "";
    const secretKey = `${ns}/${secret.metadata?.name ?? ""}`;
    const touched = new Set<string>();
    const before = this.#bySecret.get(secretKey);
    if (before) {
      const pk = profileKey(before.namespace, before.profile);
      touched.add(pk);
      this.#bySecret.delete(secretKey);
      const set = this.#byProfile.get(pk);
      set?.delete(secretKey);
      if (set?.size === 0) this.#byProfile.delete(pk);
    }
    let skipped: string | undefined;
    if (type !== "delete" && inNamespaces(ns, this.namespaces)) {
      const c = classifySecret(secret);
      if (c && "skip" in c) skipped = c.skip;
      else if (c) {
        const pk = profileKey(c.member.namespace, c.member.profile);
        touched.add(pk);
        this.#bySecret.set(secretKey, c.member);
        const set = this.#byProfile.get(pk);
        if (set) set.add(secretKey);
        else this.#byProfile.set(pk, new Set([secretKey]));
      }
    }
    const changes: SourceChange[] = [];
    for (const pk of touched) {
      const old = this.#sources.get(pk);
      const group = [...(this.#byProfile.get(pk) ?? [])].map((k) => this.#bySecret.get(k)!);
      const now = pickWinner(group);
      if (!now) {
        if (old) {
          this.#sources.delete(pk);
          changes.push({ type: "delete", key: pk, source: old });
        }
      } else if (!old || sourceChanged(old, now)) {
        this.#sources.set(pk, now);
        changes.push({ type: "upsert", key: pk, source: now });
      } else {
        // Same content (e.g. a label we do not read changed): keep the newer resourceVersion quietly.
        this.#sources.set(pk, now);
      }
    }
    return { changes, ...(skipped ? { skipped } : {}) };
  }

  get(key: string): MemberSource | undefined {
    return this.#sources.get(key);
  }

  sources(): MemberSource[] {
    return [...this.#sources.values()];
  }

  get size(): number {
    return this.#sources.size;
  }
}
