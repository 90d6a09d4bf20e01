/**
 * Vitest glue: start parts in beforeAll, stop them in afterAll, and keep the run's logs when any test of
 * the file failed (the failing test's message says what; the kept logs say why).
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import { startCluster, type Cluster, type StartClusterOptions } from "./cluster.js";
import { startClusterSet, type ClusterSet, type StartClusterSetOptions } from "./clusterset.js";

function use<T extends { stop(opts?: { keepLogs?: boolean }): Promise<void> }>(start: () => Promise<T>, what: string): () => T {
  let value: T | undefined;
  let failed = false;
  beforeAll(async () => {
    value = await start();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === "fail") failed = true;
  });
  afterAll(async () => {
    await value?.stop({ keepLogs: failed });
  });
  return () => {
    if (!value) throw new Error(`${what} did not start (see the beforeAll error)`);
    return value;
  };
}

/** A cluster set for the tests of one file: `const cs = useClusterSet({ members: 2 }); … cs().hub …` */
export function useClusterSet(opts: StartClusterSetOptions): () => ClusterSet {
  return use(() => startClusterSet(opts), "the cluster set");
}

/** One cluster for the tests of one file. */
export function useCluster(opts: StartClusterOptions): () => Cluster {
  return use(() => startCluster(opts), `cluster ${opts.name}`);
}
