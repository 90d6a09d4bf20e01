/** Resident set sizes from /proc (VmRSS), in bytes. */
import { readdirSync, readFileSync } from "node:fs";

/** VmRSS of `pid` in bytes; NaN when the process is gone or /proc is unavailable. */
export function rssBytes(pid: number): number {
  if (pid <= 0) return Number.NaN;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The pid of a process whose command line contains `needle` (e.g. an etcd's client URL); -1 if none. */
export function findPid(needle: string): number {
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle)) return pid;
    } catch {
      /* gone */
    }
  }
  return -1;
}

export interface RssSample {
  /** The process the goal is about (our server, or B's kube-apiserver). */
  main: number;
  others: Record<string, number>;
}

export function sampleRss(pids: { main: number; others: Record<string, number> }): RssSample {
  return {
    main: rssBytes(pids.main),
    others: Object.fromEntries(Object.entries(pids.others).map(([k, pid]) => [k, rssBytes(pid)])),
  };
}

/**
 * Waits until the main process's RSS holds still (two samples 500 ms apart within 1 MiB), at most `maxMs`:
 * a server still freeing its startup or a previous round's garbage would otherwise blur a before/after delta.
 */
export async function settledRss(pids: () => { main: number; others: Record<string, number> }, maxMs = 10_000): Promise<RssSample> {
  const deadline = Date.now() + maxMs;
  let last = sampleRss(pids());
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = sampleRss(pids());
    if (Math.abs(now.main - last.main) < 1 << 20 || Date.now() > deadline) return now;
    last = now;
  }
}
