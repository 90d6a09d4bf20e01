/** One etcd member on loopback (plain HTTP: nothing but the local kube-apiserver or our server talks to it). */
import { rmSync } from "node:fs";
import { request } from "node:http";
import { binaries } from "./binaries.js";
import { freePort, lostPortRace, spawnLogged, waitFor, type ManagedProcess } from "./processes.js";
import { progress } from "./progress.js";
import type { RunDir } from "./run-dir.js";

export interface Etcd {
  /** The client URL, e.g. http://127.0.0.1:40123 (for --etcd-servers). */
  url: string;
  /** The running process (a new one after restart()). */
  readonly proc: ManagedProcess;
  /** Stops etcd and starts it again on the same ports and data (a restart as clients see it). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function health(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/health`, { timeout: 2_000, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve(body));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** Starts etcd named `name` with its data in `<runDir>/<name>/etcd`; resolves once /health says true. */
export async function startEtcd(runDir: RunDir, name: string): Promise<Etcd> {
  const { etcd } = await binaries();
  const dataDir = runDir.sub(name, "etcd");
  for (let attempt = 1; ; attempt++) {
    rmSync(dataDir, { recursive: true, force: true }); // a retry must not inherit the failed attempt's member
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const proc = spawnLogged({
      name: `${name}/etcd`,
      command: etcd,
      args: [
        `--name=${name}`,
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${url}`,
        `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=${name}=${peer}`,
        "--initial-cluster-state=new",
        "--logger=zap",
        "--log-outputs=stderr",
      ],
      runDir,
    });
    try {
      await waitHealthy(url, name, proc);
    } catch (e) {
      await proc.stop(2_000);
      if (attempt < 3 && lostPortRace(proc)) {
        progress(`${name}: etcd lost a port race, retrying with new ports`);
        continue;
      }
      throw e;
    }
    let current = proc;
    return {
      url,
      get proc() {
        return current;
      },
      async restart() {
        await current.stop(5_000);
        current = spawnLogged({ name: `${name}/etcd`, command: current.command, args: [...current.args], runDir });
        await waitHealthy(url, name, current);
      },
      stop: () => current.stop(5_000),
    };
  }
}

function waitHealthy(url: string, name: string, proc: ManagedProcess): Promise<true> {
  return waitFor(
    async (last) => {
      const body = await health(url);
      if (body.includes('"health":"true"')) return true as const;
      last.reason = body;
      return undefined;
    },
    { what: `${name} etcd health`, proc, timeoutMs: 60_000, intervalMs: 100 },
  );
}
