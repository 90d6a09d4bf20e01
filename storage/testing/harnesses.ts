/**
 * Stores under test, each in its own empty space: a LevelStore in a temp dir, an EtcdStore under a fresh key
 * prefix of a shared test etcd, and the Cacher over either. reopen() keeps the data; expire() pushes a revision
 * out of every history that could still serve it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cacher } from "../cacher.js";
import type { StoreHarness } from "../conformance/harness.js";
import { writeFillers } from "../conformance/harness.js";
import { EtcdStore } from "../etcd.js";
import type { Store } from "../interface.js";
import { LevelStore } from "../level.js";
import type { StoreTuning } from "../tuning.js";

let seq = 0;
const unique = () => `${process.pid}-${Date.now()}-${++seq}`;

export async function openLevelHarness(tuning: StoreTuning): Promise<StoreHarness & { store: LevelStore }> {
  const dir = mkdtempSync(join(tmpdir(), "clusterset-level-"));
  const harness = {
    store: await LevelStore.open({ dataDir: dir, tuning }),
    async reopen() {
      await harness.store.close();
      harness.store = await LevelStore.open({ dataDir: dir, tuning });
      return harness.store;
    },
    // The window holds the last historyLimit changes: push `revision` out of it.
    expire: (_revision: number) => writeFillers(harness.store, tuning.historyLimit + 1, `x${unique()}`),
    async close() {
      await harness.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export function etcdStoreOpener(endpoint: () => string, tuning: StoreTuning, prefix: string) {
  return () => EtcdStore.open({ servers: [endpoint()], prefix, tuning, compactionIntervalMs: 0 });
}

/** Compacts the test etcd up to its current revision: every older revision is gone. */
export async function compactEtcd(store: EtcdStore): Promise<void> {
  const revision = await store.currentRevision();
  await store.client.kv.compact({ revision, physical: true });
}

export async function openEtcdHarness(endpoint: () => string, tuning: StoreTuning): Promise<StoreHarness & { store: EtcdStore }> {
  const open = etcdStoreOpener(endpoint, tuning, `/test-${unique()}/`);
  const harness = {
    store: await open(),
    async reopen() {
      await harness.store.close();
      harness.store = await open();
      return harness.store;
    },
    expire: async (_revision: number) => compactEtcd(harness.store),
    close: () => harness.store.close(),
  };
  return harness;
}

/** The Cacher over a backend harness: expire() also pushes the revision out of the cache's own window. */
export async function openCacherHarness(
  backend: StoreHarness & { store: LevelStore | EtcdStore },
  tuning: StoreTuning,
): Promise<StoreHarness & { store: Cacher }> {
  const harness = {
    store: await Cacher.start(backend.store, { tuning }),
    async reopen(): Promise<Store> {
      await harness.store.close(); // closes the backend too
      const inner = await backend.reopen();
      harness.store = await Cacher.start(inner as LevelStore | EtcdStore, { tuning });
      return harness.store;
    },
    async expire(revision: number) {
      if (backend.store instanceof EtcdStore) await compactEtcd(backend.store);
      await writeFillers(harness.store, tuning.historyLimit + 1, `x${unique()}`);
      if (backend.store instanceof EtcdStore) await compactEtcd(backend.store);
      void revision;
    },
    async close() {
      await harness.store.close();
      await backend.close();
    },
  };
  return harness;
}
