/**
 * The etcd backend (npm etcd3, etcd >= 3.4). etcd is the source of truth for revisions (mod_revision becomes
 * resourceVersion), history (lists at a revision, continue tokens: MVCC reads; compaction: Expired) and change
 * notification (watches), so several server processes sharing one etcd see each other's writes.
 * Writes are single-key transactions conditioned on the key's version or mod_revision.
 */
import { Etcd3 } from "etcd3";
import {
  StorageError,
  type KubeObject,
  type ListOptions,
  type ListResult,
  type Preconditions,
  type Watch,
  type WatchEvent,
  type WatchOptions,
} from "./interface.js";
import type { Backend, Feed, FeedSink, Snapshot } from "./backend.js";
import type { Change } from "./change.js";
import { EtcdCompactor } from "./etcd-compactor.js";
import { changeOf, decodeKv, EtcdKeys } from "./etcd-codec.js";
import { etcdCall } from "./etcd-errors.js";
import { listFromEtcd, snapshotFromEtcd } from "./etcd-list.js";
import { EtcdWatchStream } from "./etcd-watch.js";
import { EtcdWatchers } from "./etcd-watchers.js";
import { decodeBody, encodeBody, withRevision } from "./objects.js";
import { planList, planWatch } from "./read-plan.js";
import { ignoreStorageEvents, type StorageEventSink } from "./events.js";
import { tuningWith, type StoreTuning } from "./tuning.js";
import { checkPreconditions, guaranteedUpdateLoop, type ConditionalWrite } from "./update-loop.js";
import { initialBacklog, tooLarge } from "./watch-hub.js";

export interface EtcdStoreOptions {
  /** Client URLs, e.g. ["http://127.0.0.1:2379"]. */
  servers: string[];
  /** Key prefix in etcd, e.g. "/clusterset/". */
  prefix: string;
  tuning?: Partial<StoreTuning>;
  /** Compact etcd history every this many ms (kube-apiserver: 5 minutes); 0: never (someone else does). */
  compactionIntervalMs?: number;
  events?: StorageEventSink;
}

export class EtcdStore implements Backend {
  readonly keys: EtcdKeys;
  readonly compactor: EtcdCompactor;
  private readonly tuning: StoreTuning;
  private readonly stream: EtcdWatchStream;
  private readonly watchers: EtcdWatchers;
  private closed = false;

  static async open(opts: EtcdStoreOptions): Promise<EtcdStore> {
    // Lists of many objects exceed gRPC's default 4 MiB answer size; reads are chunked, but objects can be big.
    const client = new Etcd3({ hosts: opts.servers, grpcOptions: { "grpc.max_receive_message_length": 64 << 20 } });
    const store = new EtcdStore(client, opts);
    await store.currentRevision(); // fail fast when etcd is not there
    store.compactor.start();
    return store;
  }

  private constructor(
    readonly client: Etcd3,
    opts: EtcdStoreOptions,
  ) {
    this.keys = new EtcdKeys(opts.prefix);
    this.tuning = tuningWith(opts.tuning);
    const events = opts.events ?? ignoreStorageEvents;
    this.stream = new EtcdWatchStream(client, events);
    this.watchers = new EtcdWatchers(this.stream, this.keys, this.tuning);
    this.compactor = new EtcdCompactor(client, this.keys.root, opts.compactionIntervalMs ?? 5 * 60_000, events);
  }

  async get(key: string): Promise<KubeObject> {
    this.assertOpen(key);
    const resp = await etcdCall(key, () => this.client.kv.range({ key: this.keys.toEtcd(key) }));
    const kv = resp.kvs[0];
    if (kv === undefined) throw new StorageError("NotFound", key);
    return decodeKv(kv);
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    this.assertOpen(prefix);
    const req = planList(prefix, opts);
    const { plan } = req;
    if (plan.mode === "exact" || plan.mode === "atLeast") await this.waitFor(plan.revision, prefix);
    return listFromEtcd(this.client, this.keys, req);
  }

  snapshot(prefix: string): Promise<Snapshot> {
    this.assertOpen(prefix);
    return snapshotFromEtcd(this.client, this.keys, prefix);
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    this.assertOpen(key);
    const body = encodeBody(obj);
    const k = this.keys.toEtcd(key);
    const resp = await etcdCall(key, () =>
      this.client.kv.txn({
        compare: [{ key: k, target: "Version", result: "Equal", version: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(body, "utf8") } }],
      }),
    );
    if (!resp.succeeded) throw new StorageError("AlreadyExists", key);
    return decodeBody(body, Number(resp.header.revision));
  }

  guaranteedUpdate(
    key: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    preconditions?: Preconditions,
    cached?: KubeObject,
  ): Promise<KubeObject> {
    this.assertOpen(key);
    const io = { read: (k: string) => this.get(k), write: (k: string, n: KubeObject, c: KubeObject) => this.swap(k, n, c) };
    return guaranteedUpdateLoop(io, key, tryUpdate, preconditions, cached);
  }

  async delete(key: string, preconditions?: Preconditions, cached?: KubeObject): Promise<KubeObject> {
    this.assertOpen(key);
    const k = this.keys.toEtcd(key);
    let cur = cached ?? (await this.get(key));
    let fresh = cached === undefined;
    for (;;) {
      try {
        checkPreconditions(key, cur, preconditions);
      } catch (err) {
        if (fresh) throw err;
        cur = await this.get(key); // a stale cached copy proves nothing: check the stored object
        fresh = true;
        continue;
      }
      const resp = await etcdCall(key, () =>
        this.client.kv.txn({
          compare: [{ key: k, target: "Mod", result: "Equal", mod_revision: cur.metadata.resourceVersion ?? "0" }],
          success: [{ request_delete_range: { key: k } }],
          failure: [{ request_range: { key: k } }],
        }),
      );
      if (resp.succeeded) return withRevision(cur, Number(resp.header.revision));
      const kv = resp.responses[0]?.response_range?.kvs[0];
      if (kv === undefined) throw new StorageError("NotFound", key);
      cur = decodeKv(kv);
      fresh = true;
    }
  }

  async watch(prefix: string, opts?: WatchOptions): Promise<Watch> {
    this.assertOpen(prefix);
    const plan = planWatch(opts);
    const predicate = opts?.predicate;
    let from: number;
    let backlog: WatchEvent[] | undefined;
    if (plan.initial) {
      const rv = plan.revision !== undefined ? String(plan.revision) : plan.consistent ? "" : "0";
      const listed = await this.list(prefix, { resourceVersion: rv, ...(predicate ? { predicate } : {}) });
      from = listed.revision;
      backlog = initialBacklog(listed.items, listed.revision, plan.endMarker);
    } else {
      from = plan.revision ?? (await this.currentRevision());
      await this.waitFor(from, prefix);
      await this.assertNotCompacted(from, prefix);
    }
    return this.watchers.open({
      prefix,
      from,
      allowBookmarks: opts?.allowBookmarks === true,
      ...(backlog !== undefined ? { backlog } : {}),
      ...(predicate !== undefined ? { predicate } : {}),
    });
  }

  async currentRevision(): Promise<number> {
    const resp = await etcdCall("", () => this.client.kv.range({ key: this.keys.toEtcd("\u0000revision-probe") }));
    return Number(resp.header.revision);
  }

  async feed(prefix: string, from: number, sink: FeedSink): Promise<Feed> {
    this.assertOpen(prefix);
    await this.assertNotCompacted(from, prefix);
    const { key, end } = this.keys.range(prefix);
    const handle = await this.stream.watch(key, end, from + 1, {
      events: (events) => {
        const changes: Change[] = [];
        for (const ev of events) {
          const change = changeOf(ev, this.keys);
          if (change !== undefined) changes.push(change);
        }
        if (changes.length > 0) sink.changes(changes);
      },
      progress: (revision) => sink.progress(revision),
      broken: (err) => sink.broken(err),
    });
    return { close: () => handle.cancel() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor.stop();
    this.watchers.closeAll();
    this.stream.close();
    this.client.close();
  }

  /** The conditional write of guaranteedUpdate: put only if the key still has cur's mod_revision. */
  private async swap(key: string, next: KubeObject, cur: KubeObject): Promise<ConditionalWrite> {
    const k = this.keys.toEtcd(key);
    const body = encodeBody(next);
    const resp = await etcdCall(key, () =>
      this.client.kv.txn({
        compare: [{ key: k, target: "Mod", result: "Equal", mod_revision: cur.metadata.resourceVersion ?? "0" }],
        success: [{ request_put: { key: k, value: Buffer.from(body, "utf8") } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (resp.succeeded) {
      return { stored: decodeBody(body, Number(resp.header.revision)) };
    }
    const kv = resp.responses[0]?.response_range?.kvs[0];
    return { current: kv === undefined ? undefined : decodeKv(kv) };
  }

  /** Waits (briefly) until etcd reaches revision; TooLargeResourceVersion otherwise. */
  private async waitFor(revision: number, key: string): Promise<void> {
    const deadline = Date.now() + this.tuning.tooLargeWaitMs;
    for (;;) {
      const current = await this.currentRevision();
      if (current >= revision) return;
      if (Date.now() >= deadline) throw tooLarge(key, revision, current);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Expired if etcd no longer has the history after revision (a range at it fails once compacted). */
  private async assertNotCompacted(revision: number, key: string): Promise<void> {
    const probe = this.keys.toEtcd("\u0000revision-probe");
    await etcdCall(key, () => this.client.kv.range({ key: probe, revision, limit: 1 }));
  }

  private assertOpen(key: string): void {
    if (this.closed) throw new StorageError("Unavailable", key, "store is closed");
  }
}
