/**
 * Run directories: every harness run writes logs, certificates and data under
 * `test/.runs/<timestamp>-<id>/` (gitignored). A run that passes removes its directory; a failed one keeps it
 * and says where it is, so the logs of the real processes can be read after the fact.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { progress } from "./progress.js";

/** The repository root (this file is test/harness/run-dir.ts). */
export const repoRoot = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const runsRoot = path.join(repoRoot, "test", ".runs");
/** How long logs of a failed run are kept before a later run removes them. */
const KEEP_MS = 3 * 24 * 3_600_000;

export class RunDir {
  private readonly reasons: string[] = [];
  private closed = false;

  constructor(readonly path: string) {}

  /** A sub-directory (created) for one part of the run, e.g. a cluster's pki or etcd data. */
  sub(...parts: string[]): string {
    const dir = path.join(this.path, ...parts);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Marks the run failed: its directory is kept at close. Called for unexpected process exits too. */
  fail(reason: string): void {
    this.reasons.push(reason);
  }

  get failed(): boolean {
    return this.reasons.length > 0;
  }

  /** Removes the directory unless the run failed or `keep` is asked; prints where kept logs are. */
  close(opts: { keep?: boolean } = {}): void {
    if (this.closed) return;
    this.closed = true;
    if (opts.keep || this.failed) {
      const why = this.reasons.length ? ` (${this.reasons.join("; ")})` : "";
      progress(`logs kept in ${this.path}${why}`);
      return;
    }
    rmSync(this.path, { recursive: true, force: true });
  }
}

function timestamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Creates `test/.runs/<timestamp>-<label>-<random>/`, first stopping processes left behind by dead runs. */
export function createRunDir(label: string): RunDir {
  mkdirSync(runsRoot, { recursive: true });
  reapOrphans();
  const dir = path.join(runsRoot, `${timestamp()}-${label}-${randomBytes(2).toString("hex")}`);
  mkdirSync(dir, { recursive: true });
  // The owner pid lets a later run tell whether this run's processes were orphaned (see reapOrphans).
  writeFileSync(path.join(dir, "owner"), String(process.pid));
  return new RunDir(dir);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A run whose owner died without cleaning up (a killed vitest worker, a crashed `npm start`) leaves etcd and
 * kube-apiserver processes holding memory and ports. Every process the harness starts names its run directory
 * in its command line (data dir, certificates), so the processes of dead runs can be found exactly and stopped
 * by pid. Directories are left in place: their logs may explain the crash.
 */
function reapOrphans(): void {
  let entries: string[];
  try {
    entries = readdirSync(runsRoot);
  } catch {
    return;
  }
  const dead: string[] = [];
  for (const name of entries) {
    const dir = path.join(runsRoot, name);
    const ownerFile = path.join(dir, "owner");
    if (!existsSync(ownerFile)) {
      // A kept (failed or crashed) run whose processes are gone: its logs matter for a few days, not forever.
      if (Date.now() - statSync(dir).mtimeMs > KEEP_MS) rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const owner = Number(readFileSync(ownerFile, "utf8"));
    if (!Number.isInteger(owner) || alive(owner)) continue;
    dead.push(dir + path.sep);
    rmSync(ownerFile, { force: true }); // reap each dead run once
  }
  if (dead.length === 0 || !existsSync("/proc")) return;
  for (const pidName of readdirSync("/proc")) {
    const pid = Number(pidName);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    const run = dead.find((d) => cmdline.includes(d));
    if (!run) continue;
    progress(`stopping pid ${pid} left behind by a dead run in ${run}`);
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}
