/**
 * Every stored Work, kept current from the store: list, then watch from the list's revision; when the watch ends
 * (too slow, Expired, a cache reload) list again and report what changed meanwhile, deletions included. Every
 * replica keeps one, so a new leader starts with the Works at hand. Objects are the store's frozen ones.
 */
import type { Logger } from "pino";
import type { KubeObject, Store, Watch } from "../../storage/interface.js";
import { workKey } from "../../api/works/manifests.js";

export type WorkChange = (key: string, now: KubeObject | undefined, before: KubeObject | undefined) => void;

export class WorkCache {
  readonly #works = new Map<string, KubeObject>();
  #watch: Watch | undefined;
  #stopped = false;
  #synced!: () => void;
  /** Resolves after the first complete list. */
  readonly synced = new Promise<void>((r) => (this.#synced = r));

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly onChange: WorkChange,
  ) {}

  get(key: string): KubeObject | undefined {
    return this.#works.get(key);
  }

  keys(): string[] {
    return [...this.#works.keys()];
  }

  get size(): number {
    return this.#works.size;
  }

  start(): void {
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    this.#watch?.close();
  }

  async #run(): Promise<void> {
    let backoffMs = 200;
    while (!this.#stopped) {
      try {
        const revision = await this.#relist();
        this.#synced();
        this.#watch = await this.store.watch("/works/", { resourceVersion: String(revision) });
        if (this.#stopped) return this.#watch.close();
        backoffMs = 200;
        for (;;) {
          const events = await this.#watch.next();
          if (!events) break;
          for (const e of events) {
            if (e.type === "BOOKMARK") continue;
            const key = workKey(e.object);
            const before = this.#works.get(key);
            if (e.type === "DELETED") this.#works.delete(key);
            else this.#works.set(key, e.object);
            this.onChange(key, e.type === "DELETED" ? undefined : e.object, before);
          }
        }
        if (this.#watch.endReason === "store-closed") return;
      } catch (err) {
        if (this.#stopped) return;
        this.log.warn({ err: String(err) }, "watching stored Works failed; listing again");
        await new Promise((r) => setTimeout(r, backoffMs).unref());
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
    }
  }

  /** Replaces the map with a fresh list and reports the differences. */
  async #relist(): Promise<number> {
    const list = await this.store.list("/works/");
    const seen = new Set<string>();
    for (const obj of list.items) {
      const key = workKey(obj);
      seen.add(key);
      const before = this.#works.get(key);
      if (before?.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.#works.set(key, obj);
      this.onChange(key, obj, before);
    }
    for (const [key, before] of [...this.#works]) {
      if (seen.has(key)) continue;
      this.#works.delete(key);
      this.onChange(key, undefined, before);
    }
    return list.revision;
  }
}
