/** What the parts of one member view share: its clients, clock, logger, timing, and the change signal. */
import type * as k8s from "@kubernetes/client-node";
import type { Logger } from "pino";
import { MemberStatusError, type MemberHttp } from "./member-http.js";

export interface ViewOptions {
  /** /readyz every this often (±10 %): health reaches the hub within about this plus the probe timeout. */
  healthIntervalMs: number;
  /** Deadline for one probe, version or discovery request. */
  probeTimeoutMs: number;
  /** /version again after this long (and whenever health comes back). */
  versionRefreshMs: number;
  /** about.k8s.io discovery while the member has no ClusterProperty API, so installing it later is noticed. */
  discoveryIntervalMs: number;
  /** Discovery while the API is there, so removing it (or a version change) is noticed. */
  discoveryRecheckMs: number;
  /** Changes within this window are announced once (the contract allows 1 s end to end). */
  notifyDelayMs: number;
  /** Watches end after this long and resume: a silently dead connection cannot stall a view forever. */
  watchTimeoutSeconds: number;
  now: () => Date;
}

export const defaultViewOptions: ViewOptions = {
  healthIntervalMs: 3_000,
  probeTimeoutMs: 4_000,
  versionRefreshMs: 300_000,
  discoveryIntervalMs: 10_000,
  discoveryRecheckMs: 60_000,
  notifyDelayMs: 50,
  watchTimeoutSeconds: 300,
  now: () => new Date(),
};

export interface ViewDeps {
  kc: k8s.KubeConfig;
  http: MemberHttp;
  log: Logger;
  opts: ViewOptions;
  /** Something a snapshot shows may have changed. */
  changed: () => void;
}

/** Timers that all die with the view. */
export class Timers {
  readonly #timers = new Set<NodeJS.Timeout>();
  stopped = false;

  after(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    t.unref();
    this.#timers.add(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

export const jitter = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2));

/** A list answer's permission problem worth showing on the profile (network trouble is health's business). */
export function permissionProblem(e: unknown, what: string): string | undefined {
  if (e instanceof MemberStatusError && (e.statusCode === 401 || e.statusCode === 403)) return `cannot list ${what} (HTTP ${e.statusCode})`;
  return undefined;
}
