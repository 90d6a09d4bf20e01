/**
 * A minimal in-memory `Store` for registry tests: revisions, preconditions and the immutability contract of
 * storage/interface.ts (returned objects are deep-frozen, so a registry that writes to one fails loudly), no
 * history, paging or watch. Production code uses storage/index.ts's openStore.
 */
import { StorageError, type KubeObject, type ListOptions, type ListResult, type Preconditions, type Store, type Watch } from "../../../storage/interface.js";
import { deepFreeze } from "../../../lib/objects.js";


export class MemoryStore implements Store {
  private revision = 0;
  private readonly objects = new Map<string, KubeObject>();
  /** Every write, in order, for tests that count them. */
  readonly writes: { op: "create" | "update" | "delete"; key: string }[] = [];

  async get(key: string): Promise<KubeObject> {
    const obj = this.objects.get(key);
    if (!obj) throw new StorageError("NotFound", key);
    return obj;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const items = [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o)
      .filter((o) => !opts.predicate || opts.predicate(o));
    return { items, revision: this.revision };
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    if (this.objects.has(key)) throw new StorageError("AlreadyExists", key);
    if (obj.metadata.resourceVersion) throw new Error("memory store: resourceVersion must be unset on create");
    return this.put(key, obj, "create");
  }

  async guaranteedUpdate(key: string, tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>, preconditions?: Preconditions): Promise<KubeObject> {
    const current = await this.get(key);
    this.check(key, current, preconditions);
    const next = await tryUpdate(current);
    if (next === current) return current;
    // Another write may have raced in while tryUpdate awaited: the contract says retry with the newer object.
    if (this.objects.get(key) !== current) return this.guaranteedUpdate(key, tryUpdate, preconditions);
    return this.put(key, next, "update");
  }

  async delete(key: string, preconditions?: Preconditions): Promise<KubeObject> {
    const current = await this.get(key);
    this.check(key, current, preconditions);
    this.objects.delete(key);
    this.revision++;
    this.writes.push({ op: "delete", key });
    return deepFreeze({ ...structuredClone(current), metadata: { ...structuredClone(current.metadata), resourceVersion: String(this.revision) } });
  }

  async watch(): Promise<Watch> {
    throw new Error("memory store: watch is not implemented");
  }

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async close(): Promise<void> {}

  private put(key: string, obj: KubeObject, op: "create" | "update"): KubeObject {
    this.revision++;
    // The store keeps its own JSON copy, as the real backends do (undefined members vanish on the way).
    const stored = JSON.parse(JSON.stringify(obj)) as KubeObject;
    stored.metadata.resourceVersion = String(this.revision);
    deepFreeze(stored);
    this.objects.set(key, stored);
    this.writes.push({ op, key });
    return stored;
  }

  private check(key: string, current: KubeObject, p: Preconditions | undefined): void {
    if (p?.uid && p.uid !== current.metadata.uid) throw new StorageError("Conflict", key, `uid ${p.uid} does not match`);
    if (p?.resourceVersion && p.resourceVersion !== current.metadata.resourceVersion) {
      throw new StorageError("Conflict", key, `resourceVersion ${p.resourceVersion} does not match`);
    }
  }
}
