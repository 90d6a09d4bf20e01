/**
 * Child processes of the harness: each writes stdout and stderr to its own log file in the run directory,
 * is stopped by pid (SIGTERM, then SIGKILL after a grace period), and, when it dies on its own, marks the run
 * failed so its logs are kept. Also: free loopback ports and waiting helpers that fail fast, with the last log
 * lines of the process that did not come up.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { progress } from "./progress.js";
import type { RunDir } from "./run-dir.js";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessSpec {
  /** Names the log file and messages, e.g. "hub/kube-apiserver". */
  name: string;
  command: string;
  args: string[];
  runDir: RunDir;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Resolves when the process has exited (for whatever reason). */
  readonly exited: Promise<ExitInfo>;
  running(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (a crash, as far as the rest of the system can tell). */
  kill9(): Promise<void>;
  /** The last `lines` lines of its log. */
  tail(lines?: number): string;
}

/**
 * When true, children get their own session (setsid), so a terminal's Ctrl-C reaches only the harness, which
 * then stops them in order (APIService first). Off by default: under a test runner, a Ctrl-C that reaches
 * the children too is the better safety net.
 */
let ownSessions = false;
export function isolateChildrenFromTerminal(on = true): void {
  ownSessions = on;
}

/** Processes still running, killed synchronously if this process exits without stopping them. */
const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const p of live) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  });
}

export function tailFile(file: string, lines = 40): string {
  if (!existsSync(file)) return "(no log)";
  const text = readFileSync(file, "utf8");
  return text.split("\n").slice(-lines - 1).join("\n").trimEnd();
}

export function spawnLogged(spec: ProcessSpec): ManagedProcess {
  installExitHook();
  const logPath = path.join(spec.runDir.sub("logs"), `${spec.name.replaceAll("/", "_")}.log`);
  const fd = openSync(logPath, "a");
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    stdio: ["ignore", fd, fd],
    detached: ownSessions,
  });
  closeSync(fd); // the child holds its own copy
  let stopping = false;
  let exitInfo: ExitInfo | undefined;

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("error", (err) => {
      exitInfo = { code: -1, signal: null };
      spec.runDir.fail(`${spec.name} failed to start: ${err.message}`);
      resolve(exitInfo);
    });
    child.once("exit", (code, signal) => {
      exitInfo = { code, signal };
      if (!stopping) {
        const how = signal ? `signal ${signal}` : `code ${code}`;
        spec.runDir.fail(`${spec.name} exited with ${how}`);
        progress(`${spec.name} (pid ${child.pid}) exited unexpectedly with ${how}; log: ${logPath}`);
      }
      resolve(exitInfo);
    });
  });

  const proc: ManagedProcess = {
    name: spec.name,
    pid: child.pid ?? -1,
    logPath,
    command: spec.command,
    args: spec.args,
    exited,
    running: () => exitInfo === undefined,
    async stop(graceMs = 10_000) {
      if (exitInfo) return;
      stopping = true;
      signal(proc.pid, "SIGTERM");
      const timer = setTimeout(() => signal(proc.pid, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      if (exitInfo) return;
      stopping = true;
      signal(proc.pid, "SIGKILL");
      await exited;
    },
    tail: (lines) => tailFile(logPath, lines),
  };
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

function pidGone(pid: number): boolean {
  try {
    // A zombie still answers kill(0): read its state instead.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** Stops any process by pid (one this harness did not spawn itself): SIGTERM, then SIGKILL after `graceMs`. */
export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (!pidGone(pid)) {
    if (Date.now() > deadline) {
      signal(pid, "SIGKILL");
      while (!pidGone(pid)) await sleep(50);
      return;
    }
    await sleep(50);
  }
}

/** Ports handed out by this process, so two parts started together never get the same one. */
const issuedPorts = new Set<number>();

/** A currently free TCP port on 127.0.0.1 (the kernel's pick, never one issued before by this process). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.unref();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const addr = srv.address();
        srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
      });
    });
    if (!issuedPorts.has(port)) {
      issuedPorts.add(port);
      return port;
    }
  }
}

/** True when a log says a port was taken between freePort() and the bind: worth a retry with new ports. */
export function lostPortRace(proc: ManagedProcess): boolean {
  return /address already in use/i.test(proc.tail(60));
}

export class StartupError extends Error {}

export interface WaitOptions {
  /** What is awaited, for messages: "hub kube-apiserver /readyz". */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Fail at once, with its log tail, if this process exits while waiting. */
  proc?: ManagedProcess;
}

/**
 * Polls `check` until it returns a value other than undefined. `check` may return a string through `last` to
 * explain the latest failure; that explanation and the watched process's log tail go into the timeout error.
 */
export async function waitFor<T>(
  check: (last: { reason: string }) => Promise<T | undefined>,
  opts: WaitOptions,
): Promise<T> {
  const { what, timeoutMs = 120_000, intervalMs = 200, proc } = opts;
  const deadline = Date.now() + timeoutMs;
  const last = { reason: "" };
  let nextNote = Date.now() + 15_000;
  for (;;) {
    if (proc && !proc.running()) {
      throw new StartupError(`${proc.name} exited while waiting for ${what}; last lines of ${proc.logPath}:\n${proc.tail()}`);
    }
    try {
      const value = await check(last);
      if (value !== undefined) return value;
    } catch (e) {
      last.reason = (e as Error).message;
    }
    if (Date.now() > deadline) {
      const logs = proc ? `\nlast lines of ${proc.logPath}:\n${proc.tail()}` : "";
      throw new StartupError(`timed out after ${timeoutMs / 1000}s waiting for ${what}: ${last.reason}${logs}`);
    }
    if (Date.now() > nextNote) {
      // Never a silent wait: say every 15 s what is still awaited and why.
      progress(`still waiting for ${what}${last.reason ? ` (${last.reason.slice(0, 200)})` : ""}`);
      nextNote = Date.now() + 15_000;
    }
    await sleep(intervalMs);
  }
}

/** Polls `check` until it returns something truthy (false, null and undefined mean "not yet") and returns it. */
export function until<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 60_000): Promise<T> {
  return waitFor(async () => (await check()) || undefined, { what, timeoutMs }) as Promise<T>;
}
