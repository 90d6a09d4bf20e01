import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LeaseClient, LeaseRecord } from "./lease-client.js";
import { LeaseCallError } from "./lease-problem.js";
import { startElection, type ElectionTiming } from "./lease.js";
import { until } from "../testing/until.js";

const unreachable = (verb: LeaseCallError["verb"]) => new LeaseCallError(verb, "ns", "lease", undefined, "connect ECONNREFUSED");

/** An in-memory Lease with optimistic concurrency, as the hub keeps it. */
function memoryLease(): LeaseClient & { stored?: LeaseRecord; down: boolean } {
  let rv = 0;
  const store: LeaseClient & { stored?: LeaseRecord; down: boolean } = {
    down: false,
    async get() {
      if (store.down) throw unreachable("get");
      return store.stored ? { ...store.stored } : undefined;
    },
    async create(r) {
      if (store.down) throw unreachable("create");
      if (store.stored) throw new LeaseCallError("create", "ns", "lease", 409, "AlreadyExists");
      store.stored = { ...r, resourceVersion: String(++rv) };
      return { ...store.stored };
    },
    async update(r) {
      if (store.down) throw unreachable("update");
      if (store.stored?.resourceVersion !== r.resourceVersion) throw new LeaseCallError("update", "ns", "lease", 409, "Conflict");
      store.stored = { ...r, resourceVersion: String(++rv) };
      return { ...store.stored };
    },
  };
  return store;
}

// Lease durations are whole seconds on the wire, so the shortest real lease is 1 s.
const timing: ElectionTiming = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 50 };
const log = pino({ level: "silent" });
// A fake clock: the election's timers and Date.now advance only when the test says so.
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe("lease election", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("elects exactly one of two candidates", async () => {
    const lease = memoryLease();
    const a = startElection(lease, "a", log, timing);
    const b = startElection(lease, "b", log, timing);
    await until(() => a.isLeader() || b.isLeader());
    await sleep(300);
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(lease.stored?.holderIdentity).toBe(a.isLeader() ? "a" : "b");
    await a.stop();
    await b.stop();
  });

  it("hands over after the leader stops renewing, within lease duration plus a retry period", async () => {
    const lease = memoryLease();
    const a = startElection(lease, "a", log, timing);
    await until(() => a.isLeader());
    const b = startElection(lease, "b", log, timing);
    await sleep(100);
    expect(b.isLeader()).toBe(false);
    // a freezes: simulate by stopping its timer without releasing (a crash).
    (a as unknown as { stop(): Promise<void> }).stop = async () => undefined;
    const crashedAt = Date.now();
    lease.update = ((orig) => async (r: LeaseRecord) => {
      if (r.holderIdentity === "a") throw unreachable("update");
      return orig(r);
    })(lease.update.bind(lease));
    await until(() => b.isLeader(), "leader", 3000);
    const took = Date.now() - crashedAt;
    expect(took).toBeLessThanOrEqual(timing.leaseDurationMs + 2 * timing.retryPeriodMs);
    expect(lease.stored?.holderIdentity).toBe("b");
    expect(lease.stored?.leaseTransitions).toBe(1);
    await b.stop();
  });

  it("steps down when it cannot renew, before the lease could be taken", async () => {
    const lease = memoryLease();
    const a = startElection(lease, "a", log, timing);
    await until(() => a.isLeader());
    const changes: boolean[] = [];
    a.onChange((l) => changes.push(l));
    lease.down = true;
    await until(() => !a.isLeader(), "leader", 2000);
    expect(changes).toEqual([false]);
    expect(await a.confirm()).toBe(false);
    lease.down = false;
    await until(() => a.isLeader(), "leader", 2000);
    expect(await a.confirm()).toBe(true);
    await a.stop();
  });

  it("releases the lease on stop so a successor takes over at once", async () => {
    const lease = memoryLease();
    const a = startElection(lease, "a", log, timing);
    await until(() => a.isLeader());
    await a.stop();
    expect(lease.stored?.holderIdentity).toBe("");
    const b = startElection(lease, "b", log, { ...timing, leaseDurationMs: 60_000 });
    await until(() => b.isLeader(), "leader", 1000);
    await b.stop();
  });
});
