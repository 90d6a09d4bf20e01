/**
 * Group commit for the level backend. Writers enqueue operations; one loop takes everything queued, checks each
 * operation against the stored state (read once per batch with getMany), assigns consecutive revisions, and
 * writes all objects plus the revision counter in ONE synced batch. A write resolves only after that fsync, and
 * 32 concurrent writers share a handful of fsyncs instead of paying 32.
 *
 * Stored value: "<revision>\n<JSON without resourceVersion>", so conflict checks read the revision without
 * parsing the object.
 */
import type { Level } from "level";
import { StorageError, type KubeObject, type Preconditions } from "./interface.js";
import type { Change } from "./change.js";
import { deepFreeze } from "../lib/objects.js";
import { decodeBody, withRevision } from "./objects.js";
import { checkPreconditions } from "./update-loop.js";

export const revisionKey = "m:rev";
export const dataKey = (key: string) => "d" + key;

export type WriteOp =
  /** body: the JSON to store; obj: a private parse of it, frozen once its revision is stamped. */
  | { kind: "create"; key: string; body: string; obj: KubeObject }
  | { kind: "update"; key: string; body: string; obj: KubeObject; expectRevision: number }
  /** known: the caller's copy of the object; used instead of parsing the stored value if still current. */
  | { kind: "delete"; key: string; preconditions?: Preconditions; known?: KubeObject };

/** Stored: the change made. Raced: an update found another revision (current: the object now, if any). */
export type WriteResult = { change: Change } | { raced: KubeObject | undefined };

interface Pending {
  op: WriteOp;
  resolve: (r: WriteResult) => void;
  reject: (e: unknown) => void;
}

type Current = { revision: number; body: string; obj?: KubeObject } | null;

export function splitValue(raw: string): { revision: number; body: string } {
  const nl = raw.indexOf("\n");
  return { revision: Number(raw.slice(0, nl)), body: raw.slice(nl + 1) };
}

/** Operations per batch: large enough to absorb bursts, small enough to keep one batch's latency bounded. */
const maxBatch = 1_000;

export class GroupCommitter {
  private queue: Pending[] = [];
  private running = false;
  /** Synced batches written so far (each one fsync): tells how well group commit works. */
  batches = 0;

  constructor(
    private readonly db: Level<string, string>,
    /** Last committed revision. */
    public revision: number,
    /** Called synchronously after each durable batch, before any writer is resolved. */
    private readonly onCommit: (changes: Change[]) => void,
  ) {}

  submit(op: WriteOp): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.running) {
        this.running = true;
        void this.run();
      }
    });
  }

  /** Resolves once everything submitted so far is settled. */
  async drain(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 1));
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, maxBatch);
      try {
        await this.commit(batch);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        for (const p of batch) p.reject(new StorageError("Unavailable", p.op.key, `level write failed: ${why}`));
      }
    }
    this.running = false;
  }

  private async commit(batch: Pending[]): Promise<void> {
    const keys = [...new Set(batch.map((p) => p.op.key))];
    const raws = await this.db.getMany(keys.map(dataKey));
    const state = new Map<string, Current>();
    keys.forEach((k, i) => {
      const raw = raws[i];
      state.set(k, raw === undefined ? null : splitValue(raw));
    });
    const objectOf = (cur: NonNullable<Current>) => (cur.obj ??= decodeBody(cur.body, cur.revision));

    let rev = this.revision;
    const writes: ({ type: "put"; key: string; value: string } | { type: "del"; key: string })[] = [];
    const changes: Change[] = [];
    const settle: (() => void)[] = [];
    for (const p of batch) {
      const { op } = p;
      const cur = state.get(op.key) ?? null;
      try {
        if (op.kind === "create" && cur !== null) throw new StorageError("AlreadyExists", op.key);
        if (op.kind !== "create" && cur === null) {
          if (op.kind === "update") settle.push(() => p.resolve({ raced: undefined }));
          else throw new StorageError("NotFound", op.key);
          continue;
        }
        if (op.kind === "update" && cur !== null && cur.revision !== op.expectRevision) {
          const now = objectOf(cur);
          settle.push(() => p.resolve({ raced: now }));
          continue;
        }
        let change: Change;
        if (op.kind === "delete") {
          const stored = cur as NonNullable<Current>; // a missing key was answered above
          const last = op.known?.metadata.resourceVersion === String(stored.revision) ? op.known : objectOf(stored);
          checkPreconditions(op.key, last, op.preconditions);
          rev++;
          change = { type: "DELETED", key: op.key, revision: rev, object: withRevision(last, rev), prev: last };
          writes.push({ type: "del", key: dataKey(op.key) });
          state.set(op.key, null);
        } else {
          rev++;
          op.obj.metadata.resourceVersion = String(rev);
          const obj = deepFreeze(op.obj);
          const prev = cur === null ? undefined : objectOf(cur);
          change = { type: prev === undefined ? "ADDED" : "MODIFIED", key: op.key, revision: rev, object: obj };
          if (prev !== undefined) change.prev = prev;
          writes.push({ type: "put", key: dataKey(op.key), value: `${rev}\n${op.body}` });
          state.set(op.key, { revision: rev, body: op.body, obj });
        }
        changes.push(change);
        settle.push(() => p.resolve({ change }));
      } catch (err) {
        settle.push(() => p.reject(err));
      }
    }
    if (changes.length > 0) {
      writes.push({ type: "put", key: revisionKey, value: String(rev) });
      await this.db.batch(writes, { sync: true });
      this.batches++;
      this.revision = rev;
      this.onCommit(changes);
    }
    for (const s of settle) s();
  }
}
