/**
 * One simulated member's collection (Nodes or ClusterProperties) with kube-apiserver's list+watch semantics as
 * far as informers rely on them: a resourceVersion per change, list with the current resourceVersion, watch from
 * a resourceVersion (replayed from a short history; older → 410 Expired ERROR event), watch without one
 * starts with ADDED for everything, `timeoutSeconds` ends the watch cleanly.
 */
import type { ServerResponse } from "node:http";

export interface SimObject {
  metadata: { name: string; resourceVersion?: string; uid?: string; creationTimestamp?: string };
  [key: string]: unknown;
}

type EventType = "ADDED" | "MODIFIED" | "DELETED";
interface Event {
  type: EventType;
  rv: number;
  object: SimObject;
}

const HISTORY = 256;

export class SimCollection {
  readonly #objects = new Map<string, SimObject>();
  readonly #history: Event[] = [];
  /** Open watches and the version each asked for. */
  readonly #watchers = new Map<ServerResponse, string>();
  /** The newest resourceVersion that fell out of the history: a watch from before it has missed events. */
  #evictedRv = 0;
  #uid = 0;

  constructor(
    /** Shared per member, like etcd's revision. */
    private readonly nextRv: () => number,
    /** Adds apiVersion/kind for the version asked. */
    private readonly dress: (o: SimObject, version: string) => object,
  ) {}

  get size(): number {
    return this.#objects.size;
  }

  get(name: string): SimObject | undefined {
    return this.#objects.get(name);
  }

  names(): string[] {
    return [...this.#objects.keys()];
  }

  /** `meta`: more metadata (labels, a namespace, the object's own name when `name` is a "ns/name" key). */
  upsert(name: string, fields: Omit<SimObject, "metadata">, meta?: Record<string, unknown>): void {
    const old = this.#objects.get(name);
    const rv = this.nextRv();
    const object: SimObject = {
      ...fields,
      metadata: { name, ...meta, resourceVersion: String(rv), uid: old?.metadata.uid ?? `sim-${++this.#uid}`, creationTimestamp: old?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "Z") },
    };
    this.#objects.set(name, object);
    this.#emit({ type: old ? "MODIFIED" : "ADDED", rv, object });
  }

  delete(name: string): boolean {
    const old = this.#objects.get(name);
    if (!old) return false;
    this.#objects.delete(name);
    const rv = this.nextRv();
    this.#emit({ type: "DELETED", rv, object: { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } } });
    return true;
  }

  #emit(e: Event): void {
    this.#history.push(e);
    if (this.#history.length > HISTORY) this.#evictedRv = this.#history.shift()!.rv;
    for (const [res, version] of this.#watchers) write(res, e.type, this.dress(e.object, version));
  }

  list(version: string, rv: number, listKind: string): object {
    return { apiVersion: "v1", kind: listKind, metadata: { resourceVersion: String(rv) }, items: [...this.#objects.values()].map((o) => this.dress(o, version)) };
  }

  watch(res: ServerResponse, version: string, fromRv: string | null, timeoutSeconds: number): void {
    res.writeHead(200, { "content-type": "application/json" });
    res.flushHeaders();
    if (!fromRv || fromRv === "0") {
      for (const o of this.#objects.values()) write(res, "ADDED", this.dress(o, version));
    } else {
      const from = Number(fromRv);
      if (!Number.isFinite(from) || from < this.#evictedRv) {
        write(res, "ERROR", { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Expired", code: 410, message: `too old resource version: ${from}` });
        res.end();
        return;
      }
      for (const e of this.#history) if (e.rv > from) write(res, e.type, this.dress(e.object, version));
    }
    this.#watchers.set(res, version);
    const timer = setTimeout(() => res.end(), timeoutSeconds * 1000);
    timer.unref();
    res.on("close", () => {
      clearTimeout(timer);
      this.#watchers.delete(res);
    });
  }

  /** Ends every open watch (the member "restarts" or goes away). */
  dropWatches(destroy: boolean): void {
    for (const res of this.#watchers.keys()) {
      if (destroy) res.socket?.destroy();
      else res.end();
    }
    this.#watchers.clear();
  }

  get watchers(): number {
    return this.#watchers.size;
  }
}

function write(res: ServerResponse, type: string, object: object): void {
  res.write(`${JSON.stringify({ type, object })}\n`);
}
