/**
 * The storage entry point for the wiring file: open the chosen backend and put the watch cache in front of it.
 * Everything else in this folder is an implementation detail, except the contract in interface.ts.
 */
import type { Store } from "./interface.js";
import { Cacher } from "./cacher.js";
import { EtcdStore } from "./etcd.js";
import { LevelStore } from "./level.js";
import { ignoreStorageEvents, type StorageEventSink } from "./events.js";
import type { StoreTuning } from "./tuning.js";

export * from "./interface.js";
export type { StoreTuning } from "./tuning.js";
export type { StorageEvent, StorageEventKind, StorageEventSink } from "./events.js";

export interface OpenStoreOptions {
  backend: "level" | "etcd";
  /** level: the data directory (created if missing). */
  dataDir?: string;
  /** etcd: client URLs, e.g. ["http://127.0.0.1:2379"] (a comma-separated string is accepted too). */
  etcdServers?: string[] | string;
  /** etcd: key prefix, default "/clusterset/". */
  prefix?: string;
  /** etcd: compaction interval in ms (default 5 minutes, as kube-apiserver); 0 leaves compaction to others. */
  etcdCompactionIntervalMs?: number;
  /** Windows and intervals; the defaults suit production. */
  tuning?: Partial<StoreTuning>;
  /** Told of everything storage retries or drops (see events.ts); the caller logs and counts. */
  events?: StorageEventSink;
}

/** Opens the backend and returns the watch cache over it. close() on the result closes both. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const tuning = opts.tuning;
  const events = opts.events ?? ignoreStorageEvents;
  if (opts.backend === "level") {
    if (opts.dataDir === undefined || opts.dataDir === "") throw new Error("storage: level needs a dataDir");
    const backend = await LevelStore.open({ dataDir: opts.dataDir, events, ...(tuning ? { tuning } : {}) });
    return startCacher(backend, tuning, events);
  }
  const servers = typeof opts.etcdServers === "string" ? opts.etcdServers.split(",") : (opts.etcdServers ?? []);
  const cleaned = servers.map((s) => s.trim()).filter((s) => s !== "");
  if (cleaned.length === 0) throw new Error("storage: etcd needs etcdServers");
  const backend = await EtcdStore.open({
    servers: cleaned,
    prefix: opts.prefix ?? "/clusterset/",
    ...(opts.etcdCompactionIntervalMs !== undefined ? { compactionIntervalMs: opts.etcdCompactionIntervalMs } : {}),
    events,
    ...(tuning ? { tuning } : {}),
  });
  return startCacher(backend, tuning, events);
}

async function startCacher(backend: LevelStore | EtcdStore, tuning: Partial<StoreTuning> | undefined, events: StorageEventSink): Promise<Store> {
  try {
    return await Cacher.start(backend, { events, ...(tuning ? { tuning } : {}) });
  } catch (err) {
    await backend.close();
    throw err;
  }
}
