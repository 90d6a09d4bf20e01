/**
 * Leader election with a coordination.k8s.io Lease on the hub, as client-go's leaderelection does it: the
 * leader writes computed objects and applies Works; the others only serve. A candidate takes over a Lease
 * whose holder has not renewed it for leaseDuration *as observed locally* (never comparing clocks across
 * machines); a leader that cannot renew within renewDeadline steps down before anyone else can take over.
 */
import type { Logger } from "pino";
import type { LeaseClient, LeaseRecord } from "./lease-client.js";
import { leaseProblem, type LeaseProblem } from "./lease-problem.js";

export interface ElectionTiming {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const defaultTiming: ElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaderElector {
  readonly identity: string;
  isLeader(): boolean;
  /** Called with true when this replica becomes leader, false when it stops being one. */
  onChange(cb: (leader: boolean) => void): void;
  /**
   * Asks the hub whether we still hold the Lease: a leader calls this before each write to a member, so a
   * replica that lost the Lease (paused, partitioned) never writes after someone else took over.
   */
  confirm(): Promise<boolean>;
  /** Stops campaigning; a leader releases the Lease so a successor need not wait it out. */
  stop(): Promise<void>;
}

export interface ElectionHooks {
  /** Every failed attempt, classified (for a metric); a warning is logged by the election itself. */
  onProblem?: (p: LeaseProblem) => void;
}

export function startElection(
  client: LeaseClient,
  identity: string,
  log: Logger,
  timing: ElectionTiming = defaultTiming,
  now: () => number = Date.now,
  hooks: ElectionHooks = {},
): LeaderElector {
  let leader = false;
  let stopped = false;
  let lastRenew = 0;
  // What we last saw of someone else's Lease, and when we saw it change (local clock only).
  let observed: { record: LeaseRecord; at: number } | undefined;
  const listeners: ((l: boolean) => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  // The cause last warned about: a warning each time it changes, not on every retry.
  let warnedCause: string | undefined;

  const failed = (err: unknown) => {
    const p = leaseProblem(err);
    hooks.onProblem?.(p);
    if (p.reason === "OtherHolder") return void log.debug({ identity }, p.message);
    if (p.message === warnedCause) return;
    warnedCause = p.message;
    log.warn({ identity, reason: p.reason }, p.message);
  };
  const succeeded = () => {
    if (warnedCause === undefined) return;
    log.info({ identity }, `the Lease can be taken again (was: ${warnedCause})`);
    warnedCause = undefined;
  };

  const setLeader = (l: boolean) => {
    if (l === leader) return;
    leader = l;
    log.info({ identity, leader: l }, l ? "became leader" : "stopped leading");
    for (const cb of listeners) cb(l);
  };

  const record = (prev: LeaseRecord | undefined, t: number): LeaseRecord => {
    const ours = prev?.holderIdentity === identity;
    return {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(timing.leaseDurationMs / 1000),
      acquireTime: ours && prev?.acquireTime ? prev.acquireTime : new Date(t),
      renewTime: new Date(t),
      leaseTransitions: (prev?.leaseTransitions ?? 0) + (prev && !ours ? 1 : 0),
      ...(prev?.resourceVersion ? { resourceVersion: prev.resourceVersion } : {}),
    };
  };

  async function tryAcquireOrRenew(): Promise<boolean> {
    const t = now();
    const current = await client.get();
    if (!current) {
      await client.create(record(undefined, t));
      return true;
    }
    if (current.holderIdentity && current.holderIdentity !== identity) {
      const changed = !observed || observed.record.resourceVersion !== current.resourceVersion;
      if (changed) observed = { record: current, at: t };
      const expiresAt = observed!.at + current.leaseDurationSeconds * 1000;
      if (t < expiresAt) return false;
    }
    await client.update(record(current, t));
    return true;
  }

  const tick = async () => {
    if (stopped) return;
    try {
      const held = await tryAcquireOrRenew();
      succeeded();
      if (held) {
        lastRenew = now();
        setLeader(true);
      } else setLeader(false);
    } catch (err) {
      failed(err);
    }
    if (leader && now() - lastRenew > timing.renewDeadlineMs) setLeader(false);
    if (!stopped) timer = setTimeout(() => void tick(), timing.retryPeriodMs);
  };
  timer = setTimeout(() => void tick(), 0);

  return {
    identity,
    isLeader: () => leader,
    onChange: (cb) => void listeners.push(cb),
    async confirm() {
      if (!leader) return false;
      try {
        const current = await client.get();
        const ok = current?.holderIdentity === identity && now() - lastRenew <= timing.renewDeadlineMs;
        if (!ok) setLeader(false);
        return ok;
      } catch {
        return false;
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (!leader) return;
      setLeader(false);
      try {
        const current = await client.get();
        if (current?.holderIdentity === identity) {
          await client.update({ ...current, holderIdentity: "", leaseDurationSeconds: 1, renewTime: new Date(now()) });
        }
      } catch (err) {
        log.warn({ identity, err: String(err) }, "could not release the lease");
      }
    },
  };
}
