/**
 * A throwaway etcd for tests: its own data directory and free loopback ports, stopped by pid.
 * etcd comes from Debian's etcd-server package (`apt-get install -y etcd-server`).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:41234. */
  endpoint: string;
  stop(): Promise<void>;
}

const etcdBinary = process.env.ETCD_BIN ?? "/usr/bin/etcd";

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
    throw new Error(`${etcdBinary} not found: install it with "apt-get install -y etcd-server" (or set ETCD_BIN)`);
  }
  const dir = mkdtempSync(join(tmpdir(), "clusterset-etcd-"));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const logFile = join(dir, "etcd.log");
  const log = openSync(logFile, "w");
  const child = spawn(
    etcdBinary,
    [
      "--data-dir", join(dir, "data"),
      "--listen-client-urls", client,
      "--advertise-client-urls", client,
      "--listen-peer-urls", peer,
      "--initial-advertise-peer-urls", peer,
      "--initial-cluster", `default=${peer}`,
    ],
    { stdio: ["ignore", log, log] },
  );
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
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (!running) {
      const tail = readFileSync(logFile, "utf8").slice(-2_000);
      await stop();
      throw new Error(`etcd exited with ${child.exitCode}:\n${tail}`);
    }
    try {
      const res = await fetch(`${client}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("etcd did not become healthy within 20 s");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint: client, stop };
}
