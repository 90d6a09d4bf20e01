/**
 * Our server (clusterset-apiserver) as a child process: `node --import tsx main.ts serve …` on 127.0.0.1,
 * serving with a certificate from the harness PKI, reaching the hub with a ServiceAccount token kubeconfig.
 * The same handle restarts it on the same port and data directory, or kills it hard to play a crash.
 */
import path from "node:path";
import { waitForHttpsOk } from "./https.js";
import type { ServerPki } from "./pki.js";
import { freePort, spawnLogged, type ManagedProcess } from "./processes.js";
import { progress } from "./progress.js";
import { repoRoot, type RunDir } from "./run-dir.js";

export interface ServerOptions {
  runDir: RunDir;
  /** Names logs and the data directory: "server", "server-2", … */
  name?: string;
  pki: ServerPki;
  /** Kubeconfig our server uses to reach the hub. */
  hubKubeconfigPath: string;
  /** Default: a free port. */
  port?: number;
  /** Extra `serve` flags, appended after the harness's own (a later flag wins). */
  flags?: string[];
  /** `--data-dir` for the level backend; default `<run>/<name>/data`. Pass "" to leave the flag out. */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  /** The script to run; default `<repo>/main.ts`. */
  entry?: string;
  /** Wait for /readyz after each start (default true). */
  waitReady?: boolean;
  readyTimeoutMs?: number;
}

export interface OurServer {
  name: string;
  /** https://127.0.0.1:<port> */
  url: string;
  port: number;
  /** The current process's pid (changes on restart); -1 when not running. */
  readonly pid: number;
  readonly proc: ManagedProcess | undefined;
  /** The serving CA (the APIService caBundle). */
  caPem: string;
  /** The full `serve` command line, for messages and reproducing a failure by hand. */
  args: readonly string[];
  running(): boolean;
  /** Starts it (if stopped) and waits for /readyz. */
  start(): Promise<void>;
  /** SIGTERM (graceful), then starts again on the same port and data directory. */
  restart(): Promise<void>;
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash, as the hub and the members see it. */
  kill9(): Promise<void>;
  waitReady(timeoutMs?: number): Promise<void>;
}

/** A handle on our server; nothing runs until `start()`. */
export async function prepareServer(opts: ServerOptions): Promise<OurServer> {
  const name = opts.name ?? "server";
  const port = opts.port ?? (await freePort());
  const url = `https://127.0.0.1:${port}`;
  const dataDir = opts.dataDir ?? opts.runDir.sub(name, "data");
  const entry = opts.entry ?? path.join(repoRoot, "main.ts");
  const args = [
    "--import",
    "tsx",
    entry,
    "serve",
    `--secure-port=${port}`,
    "--bind-address=127.0.0.1",
    `--tls-cert-file=${opts.pki.serving.certPath}`,
    `--tls-private-key-file=${opts.pki.serving.keyPath}`,
    `--kubeconfig=${opts.hubKubeconfigPath}`,
    ...(dataDir ? [`--data-dir=${dataDir}`] : []),
    ...(opts.flags ?? []),
  ];
  let proc: ManagedProcess | undefined;

  const waitReady = (timeoutMs = opts.readyTimeoutMs ?? 120_000) =>
    waitForHttpsOk(`${url}/readyz`, { ca: opts.pki.ca.certPem }, { what: `${name} /readyz`, proc, timeoutMs });

  const server: OurServer = {
    name,
    url,
    port,
    get pid() {
      return proc?.running() ? proc.pid : -1;
    },
    get proc() {
      return proc;
    },
    caPem: opts.pki.ca.certPem,
    args,
    running: () => proc?.running() ?? false,
    async start() {
      if (proc?.running()) return;
      const t0 = Date.now();
      // cwd = the repo, so `--import tsx` resolves this checkout's tsx.
      proc = spawnLogged({ name, command: process.execPath, args, runDir: opts.runDir, cwd: repoRoot, env: opts.env });
      if (opts.waitReady ?? true) {
        await waitReady();
        progress(`${name}: ready at ${url} (pid ${proc.pid}, ${((Date.now() - t0) / 1000).toFixed(1)}s)`);
      }
    },
    async restart() {
      await server.stop();
      await server.start();
    },
    async stop(graceMs = 10_000) {
      await proc?.stop(graceMs);
    },
    async kill9() {
      await proc?.kill9();
    },
    waitReady: (timeoutMs) => waitReady(timeoutMs),
  };
  return server;
}
