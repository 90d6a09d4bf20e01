/**
 * A throwaway etcd for storage tests: the harness's launcher (test/harness/etcd.ts: the provisioned etcd, free
 * loopback ports, stopped by pid) in a run directory of its own, removed when the test file is done unless
 * something failed.
 */
import { startEtcd as startHarnessEtcd } from "../../test/harness/etcd.js";
import { createRunDir } from "../../test/harness/run-dir.js";

export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:41234. */
  endpoint: string;
  /** Stops etcd and starts it again on the same ports and data (a restart as clients see it). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEtcd(): Promise<EtcdServer> {
  const runDir = createRunDir("storage-etcd");
  try {
    const etcd = await startHarnessEtcd(runDir, "etcd");
    return {
      endpoint: etcd.url,
      restart: () => etcd.restart(),
      async stop() {
        await etcd.stop();
        runDir.close();
      },
    };
  } catch (e) {
    runDir.fail(`etcd did not start: ${(e as Error).message}`);
    runDir.close();
    throw e;
  }
}
