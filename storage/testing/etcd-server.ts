/**
 * A throwaway etcd for tests: its own data directory and free loopback ports, stopped by pid.
 * etcd is the one test/provision/kube.sh builds into the cache (the release test/go/etcd pins), or $ETCD_BIN.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:41234. */
  endpoint: string;
  /** Stops etcd and starts it again on the same ports and data (a restart as clients see it). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** $ETCD_BIN, else the provisioned build in the cache, else the first etcd on the PATH. */
function findEtcd(): string {
  if (process.env.ETCD_BIN) return process.env.ETCD_BIN;
  const mod = readFileSync(fileURLToPath(new URL("../../test/go/etcd/go.mod", import.meta.url)), "utf8");
  const version = /^\s*(?:require )?go\.etcd\.io\/etcd\/server\/v3 (v\S+)/m.exec(mod)?.[1];
  const cache = process.env.CLUSTERSET_CACHE ?? join(homedir(), ".cache", "clusterset-apiserver");
  const provisioned = join(cache, `etcd-${version}`, "bin", "etcd");
  if (existsSync(provisioned)) return provisioned;
  const dirs = (process.env.PATH ?? "").split(delimiter);
  return dirs.map((d) => join(d, "etcd")).find((p) => existsSync(p)) ?? provisioned;
}
const etcdBinary = findEtcd();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startEtcd(): Promise<EtcdServer> {
  if (!existsSync(etcdBinary)) {
    throw new Error(`${etcdBinary} not found: run "bash test/provision/kube.sh" to build it (or set ETCD_BIN)`);
  }
  const dir = mkdtempSync(join(tmpdir(), "clusterset-etcd-"));
  const client = `http://127.0.0.1:${await freePort()}`;
  const peer = `http://127.0.0.1:${await freePort()}`;
  const args = [
    "--data-dir", join(dir, "data"),
    "--listen-client-urls", client,
    "--advertise-client-urls", client,
    "--listen-peer-urls", peer,
    "--initial-advertise-peer-urls", peer,
    "--initial-cluster", `default=${peer}`,
  ];
  let proc = await launch(args, join(dir, "etcd.log"), client).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    endpoint: client,
    async restart() {
      await proc.stop();
      proc = await launch(args, join(dir, "etcd.log"), client);
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs etcd until it answers /health; stop() ends it by pid (SIGTERM, then SIGKILL after 5 s). */
async function launch(args: string[], logFile: string, client: string): Promise<{ stop(): Promise<void> }> {
  const log = openSync(logFile, "a");
  const child = spawn(etcdBinary, args, { stdio: ["ignore", log, log] });
  closeSync(log);
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running = false;
      resolve();
    }),
  );
  const stop = async () => {
    if (running && child.pid !== undefined) {
      process.kill(child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (running) process.kill(child.pid, "SIGKILL");
      await exited;
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (!running) throw new Error(`etcd exited:\n${readFileSync(logFile, "utf8").slice(-2_000)}`);
    try {
      const res = await fetch(`${client}/health`);
      if (res.ok) return { stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("etcd did not become healthy within 20 s");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
