/**
 * Works reach their members (../../docs/design.md "Works"): on the leader only, each stored Work is applied to the member
 * its label names, kept there against drift, pruned, removed on delete, and its status computed from what the
 * member holds. Work is queued per member — one pass at a time per member, so a slow or unreachable member
 * delays only its own Works — with a global bound on passes in flight. A Work gets a pass when its spec or
 * deletion state changes, its member appears, leaves or changes health, a member-side event touches what it
 * applied, a retry is due, and on every periodic resync (the backstop for anything a watch missed).
 */
import type { Logger } from "pino";
import type { EventRecorder } from "../../kube/events.js";
import type { LeaderElector } from "../../leader/lease.js";
import type { Fleet } from "../../members/fleet.js";
import { createLimiter } from "../../members/limiter.js";
import type { KubeObject, Store } from "../../storage/interface.js";
import { hasFinalizer, workTarget } from "../../api/works/manifests.js";
import { defaultDispatcherOptions, type DispatcherOptions } from "./dispatcher-options.js";
import { Retries } from "./retries.js";
import { WorkCache } from "./work-cache.js";
import { WorkSyncer } from "./work-sync.js";

export interface WorkDispatcherDeps {
  store: Store;
  /** A hub fleet's `synced` holds passes back until every member Secret is known (no false ClusterNotFound). */
  fleet: Fleet & { synced?: Promise<void> };
  elector: LeaderElector;
  log: Logger;
  /** Where the Works' Events go (kube/events.ts); none in tests that do not look at them. */
  events?: EventRecorder;
  options?: Partial<DispatcherOptions>;
}

export { defaultDispatcherOptions, type DispatcherOptions } from "./dispatcher-options.js";

export interface DispatcherStats {
  works: number;
  /** Works waiting for a pass, and passes running. */
  queued: number;
  inFlight: number;
  /** Works with a retry timer pending. */
  retrying: number;
  passes: number;
  statusWrites: number;
  /** Lease confirmations asked (one per member write; concurrent asks share one request). */
  confirms: number;
}

export interface WorkDispatcher {
  /** Resolves once no pass is queued or running (retry timers may still be pending). */
  idle(): Promise<void>;
  stats(): DispatcherStats;
  stop(): Promise<void>;
}

interface Queue {
  dirty: Set<string>;
  busy: boolean;
}

export function startWorkDispatcher(deps: WorkDispatcherDeps): WorkDispatcher {
  const { store, fleet, elector, log } = deps;
  const opts: DispatcherOptions = { ...defaultDispatcherOptions, ...deps.options };
  const limiter = createLimiter(opts.concurrency);
  const queues = new Map<string, Queue>();
  const byMember = new Map<string, Set<string>>();
  const memberState = new Map<string, string>();
  const running = new Set<Promise<void>>();
  let ready = false;
  let stopped = false;
  let inFlight = 0;
  let confirms = 0;

  // Concurrent writes share one lease check: each still waits for an answer given after it asked to write.
  let confirming: Promise<boolean> | undefined;
  const confirm = () => {
    confirms++;
    return (confirming ??= elector.confirm().finally(() => (confirming = undefined)));
  };

  const retries = new Retries({ baseMs: opts.retryBaseMs, maxMs: opts.retryMaxMs }, (key) => mark(key));
  const cache: WorkCache = new WorkCache(store, log, onWorkChange);
  const syncer = new WorkSyncer({
    store,
    fleet,
    elector,
    log,
    works: (key) => cache.get(key),
    retries,
    events: deps.events,
    mark: (key) => mark(key),
    conn: { requestTimeoutMs: opts.requestTimeoutMs, watchApplied: opts.watchApplied, watchTimeoutSeconds: opts.watchTimeoutSeconds, confirm },
    cleanupPollMs: opts.cleanupPollMs,
    now: opts.now,
  });

  function mark(key: string): void {
    if (stopped || !ready || !elector.isLeader()) return;
    const work = cache.get(key);
    const member = work && workTarget(work);
    if (!member) return;
    let q = queues.get(member);
    if (!q) queues.set(member, (q = { dirty: new Set(), busy: false }));
    q.dirty.add(key);
    if (q.busy) return;
    q.busy = true;
    const p = drain(member, q);
    running.add(p);
    void p.finally(() => running.delete(p));
  }

  async function drain(member: string, q: Queue): Promise<void> {
    try {
      while (q.dirty.size > 0 && !stopped && elector.isLeader()) {
        const release = await limiter.acquire();
        if (q.dirty.size === 0) {
          release(); // leadership went while we waited: the queue was emptied
          break;
        }
        // Taken only once a slot is ours: marks arriving while we waited join this very pass.
        const [key] = q.dirty;
        q.dirty.delete(key!);
        inFlight++;
        try {
          await syncer.sync(key!);
        } catch (err) {
          log.warn({ work: key, err: String(err) }, "Work pass failed");
        } finally {
          inFlight--;
          release();
        }
      }
    } finally {
      q.busy = false;
      if (q.dirty.size === 0) queues.delete(member);
      else if (!stopped && elector.isLeader()) for (const key of q.dirty) mark(key);
    }
  }

  function index(work: KubeObject | undefined, key: string, add: boolean): void {
    const member = work && workTarget(work);
    if (!member) return;
    let set = byMember.get(member);
    if (add) {
      if (!set) byMember.set(member, (set = new Set()));
      set.add(key);
    } else if (set?.delete(key) && set.size === 0) byMember.delete(member);
  }

  function onWorkChange(key: string, now: KubeObject | undefined, before: KubeObject | undefined): void {
    index(before, key, false);
    index(now, key, true);
    if (!now) return syncer.forget(key);
    const m = now.metadata;
    const b = before?.metadata;
    // Our own status and finalizer writes come back here too: they change none of these, so no echo pass.
    const changed =
      !b ||
      b.uid !== m.uid ||
      b.generation !== m.generation ||
      Boolean(b.deletionTimestamp) !== Boolean(m.deletionTimestamp) ||
      String(b.finalizers) !== String(m.finalizers) && (Boolean(m.deletionTimestamp) || !hasFinalizer(now));
    if (changed) mark(key);
  }

  /** Members: a pass for their Works when they join, leave, change kubeconfig or health. */
  const unsubscribe = fleet.subscribe((member) => {
    syncer.memberChanged(member);
    const view = fleet.get(member);
    // The Secret's resourceVersion: a fixed kubeconfig should be tried at once, not after the backoff.
    const state = view ? `${view.health.status}|${fleet.source(member)?.resourceVersion ?? ""}` : "absent";
    if (memberState.get(member) === state) return;
    if (view) memberState.set(member, state);
    else memberState.delete(member);
    for (const key of byMember.get(member) ?? []) mark(key);
  });

  const resyncAll = () => {
    for (const key of cache.keys()) mark(key);
  };
  elector.onChange((leader) => {
    if (stopped) return;
    if (leader) return resyncAll();
    // Another replica applies now: drop queued passes, retries and member connections.
    for (const q of queues.values()) q.dirty.clear();
    retries.clear();
    void syncer.closeAll();
  });
  const resync = setInterval(resyncAll, Math.round(opts.resyncMs * (0.9 + Math.random() * 0.2)));
  resync.unref();

  cache.start();
  void Promise.all([cache.synced, fleet.synced]).then(() => {
    if (stopped) return;
    ready = true;
    log.info({ works: cache.size, leader: elector.isLeader() }, "Work dispatcher ready");
    resyncAll();
  });

  return {
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    stats: () => ({
      works: cache.size,
      queued: [...queues.values()].reduce((n, q) => n + q.dirty.size, 0),
      inFlight,
      retrying: retries.pending,
      passes: syncer.passes,
      statusWrites: syncer.statusWrites,
      confirms,
    }),
    async stop() {
      stopped = true;
      clearInterval(resync);
      unsubscribe();
      cache.stop();
      retries.clear();
      // A pass waiting on a hung member would hold shutdown for a whole request deadline: wait a little only.
      const settled = (async () => {
        while (running.size > 0) await Promise.allSettled([...running]);
      })();
      await Promise.race([settled, new Promise((r) => setTimeout(r, 3_000).unref())]);
      await syncer.closeAll();
    },
  };
}
