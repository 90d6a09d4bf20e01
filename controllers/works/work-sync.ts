/**
 * One Work, one pass, on the leader: the finalizer, the member connection, apply + prune (or cleanup for a
 * terminating Work), the status write when it changed, and what to retry. The dispatcher decides when a Work
 * gets a pass; this decides what the pass does.
 */
import type { Logger } from "pino";
import type { EventRecorder } from "../../kube/events.js";
import { emptyTold, driftKey, workEvents, type WorkTold } from "./work-events.js";
import type { LeaderElector } from "../../leader/lease.js";
import type { Fleet } from "../../members/fleet.js";
import { describeRequestError } from "../../members/health.js";
import { MemberRequestError } from "../../members/member-http.js";
import { sameBytes } from "../../members/sensitive.js";
import type { KubeObject, Store } from "../../storage/interface.js";
import type { AppliedEventType } from "./applied-watch.js";
import { hasFinalizer, identityKey, isDeleting, orphans, ownerOf, storedIdentifiers, workTarget, type Identifier } from "../../api/works/manifests.js";
import { MemberConn, type MemberConnOptions } from "./member-conn.js";
import { MemberRefusedError, NotLeaderError } from "./member-objects.js";
import type { Retries } from "./retries.js";
import { workStatus, type SyncOutcome } from "../../api/works/status.js";
import { applyWork, cleanupWork } from "./work-apply.js";
import { GROUP_VERSION } from "../../api/group.js";
import { dropFinalizer, ensureFinalizer, writeStatus } from "./work-store.js";

export interface SyncerDeps {
  store: Store;
  fleet: Fleet;
  elector: LeaderElector;
  log: Logger;
  works: (key: string) => KubeObject | undefined;
  retries: Retries;
  events?: EventRecorder | undefined;
  /** Another pass for this Work soon (a member-side event said something changed). */
  mark: (key: string) => void;
  conn: Omit<MemberConnOptions, "log" | "onEvent">;
  cleanupPollMs: number;
  now: () => Date;
}

interface Memory {
  uid: string;
  /** What this process applied (or failed to prune) for the Work: pruning candidates besides the status. */
  known: Map<string, Identifier>;
  /** resourceVersions our last applies produced: member events carrying them are our own writes. */
  rvs: Set<string>;
  /** What the Work's Events last said (./work-events.ts), so a pass reports only what changed. */
  told: WorkTold;
}

/** A member's profile name (Events speak of the Work's own namespace): "<ns>/<name>" → "<name>". */
const profileName = (member: string) => member.slice(member.indexOf("/") + 1);

export class WorkSyncer {
  readonly #conns = new Map<string, MemberConn>();
  readonly #memory = new Map<string, Memory>();
  passes = 0;
  statusWrites = 0;

  constructor(private readonly d: SyncerDeps) {}

  async sync(key: string): Promise<void> {
    const work = this.d.works(key);
    const member = work && workTarget(work);
    if (!work || !member || !this.d.elector.isLeader()) return;
    this.passes++;
    try {
      if (isDeleting(work)) return await this.#finish(key, work, member);
      if (!hasFinalizer(work)) await ensureFinalizer(this.d.store, key, work.metadata.uid ?? "");
      if (!this.d.fleet.get(member)) {
        // No retry: the fleet announces the member when it joins, and that brings the Work back.
        this.d.retries.forget(key);
        return void (await this.#status(key, work, { state: "ClusterNotFound", member }));
      }
      const conn = await this.#conn(member);
      const mem = this.#mem(key, work);
      const pass = await applyWork(conn.ctx, work, [...storedIdentifiers(work), ...mem.known.values()]);
      for (const e of workEvents(profileName(member), pass, mem.told)) this.#event(work, e.type, e.reason, "Apply", e.note);
      for (const a of pass.applied) mem.known.set(identityKey(a.id), a.id);
      for (const p of pass.pruned) mem.known.delete(identityKey(p));
      mem.rvs = new Set(pass.applied.map((a) => a.resourceVersion));
      for (const a of pass.applied) conn.watch(a.id, a.resourceVersion);
      await this.#status(key, work, { state: "Synced", manifests: pass.manifests });
      if (pass.retry) this.d.retries.schedule(key);
      else this.d.retries.forget(key);
    } catch (e) {
      await this.#failed(key, work, member, e);
    }
  }

  /** A terminating Work: remove what it applied (unless Orphan), then let it go. */
  async #finish(key: string, work: KubeObject, member: string): Promise<void> {
    const uid = work.metadata.uid ?? "";
    if (!hasFinalizer(work)) return;
    if (orphans(work) || !this.d.fleet.get(member)) {
      this.#event(work, "Normal", "CleanupSkipped", "Delete", orphans(work) ? `delete-option Orphan: its objects stay on ${profileName(member)}` : `${profileName(member)} is not joined: nothing can be removed from it`);
      this.d.log.info({ work: key, member }, orphans(work) ? "Work deleted with delete-option Orphan: its objects stay on the member" : "Work deleted; its member is not joined, so nothing can be removed");
      await dropFinalizer(this.d.store, key, uid);
      return this.forget(key);
    }
    const conn = await this.#conn(member);
    const r = await cleanupWork(conn.ctx, work, [...this.#mem(key, work).known.values()]);
    if (!r.done) {
      if (r.failed) this.#event(work, "Warning", "CleanupBlocked", "Delete", `${profileName(member)} has not removed everything yet: ${r.waiting.join("; ")}`);
      this.d.log.debug({ work: key, waiting: r.waiting }, "waiting for the member to remove the Work's objects");
      this.d.retries.schedule(key, r.failed ? undefined : this.d.cleanupPollMs);
      return;
    }
    await dropFinalizer(this.d.store, key, uid);
    this.#event(work, "Normal", "CleanedUp", "Delete", `its objects are gone from ${profileName(member)}`);
    this.d.log.info({ work: key, member }, "Work deleted: its objects are gone from the member");
    this.forget(key);
  }

  async #failed(key: string, work: KubeObject, member: string, e: unknown): Promise<void> {
    if (e instanceof NotLeaderError) {
      // The lease check failed while the elector still says we lead (the hub did not answer it): try again
      // later. Had we lost the lease, the elector would have said so and the queues were emptied.
      if (this.d.elector.isLeader()) this.d.retries.schedule(key);
      return;
    }
    let message: string | undefined;
    if (e instanceof MemberRequestError) message = `cannot reach ${member} at ${this.#conns.get(member)?.ctx.client.server ?? "its server"}: ${describeRequestError(e)}; retrying`;
    else if (e instanceof MemberRefusedError) message = `${e.message}; retrying`;
    else this.d.log.warn({ work: key, err: String(e) }, "Work sync failed; retrying");
    this.d.retries.schedule(key);
    if (!message) return;
    await this.#status(key, work, { state: "ClusterUnreachable", member, message }).catch((err: unknown) => this.d.log.warn({ work: key, err: String(err) }, "Work status write failed"));
  }

  async #status(key: string, work: KubeObject, outcome: SyncOutcome): Promise<void> {
    if (!this.d.elector.isLeader()) return;
    // Transition times come from what is stored; the generation is the one this pass synced.
    const wrote = await writeStatus(this.d.store, key, work.metadata.uid ?? "", (cur) => workStatus({ ...cur, metadata: { ...cur.metadata, generation: work.metadata.generation } }, outcome, this.d.now()));
    if (wrote) this.statusWrites++;
  }

  #event(work: KubeObject, type: "Normal" | "Warning", reason: string, action: string, note: string): void {
    const { namespace = "", name = "", uid = "" } = work.metadata;
    this.d.events?.record({ apiVersion: work.apiVersion ?? GROUP_VERSION, kind: "Work", namespace, name, uid }, type, reason, action, note);
  }

  #mem(key: string, work: KubeObject): Memory {
    const uid = work.metadata.uid ?? "";
    let m = this.#memory.get(key);
    if (!m || m.uid !== uid) this.#memory.set(key, (m = { uid, known: new Map(), rvs: new Set(), told: emptyTold() }));
    return m;
  }

  async #conn(member: string): Promise<MemberConn> {
    const source = this.d.fleet.source(member);
    const have = this.#conns.get(member);
    if (have && source?.kubeconfig && sameBytes(have.kubeconfig, source.kubeconfig)) return have;
    have?.close();
    this.#conns.delete(member);
    const conn = await MemberConn.open(member, source, { ...this.d.conn, log: this.d.log, onEvent: (type, obj) => this.#memberEvent(type, obj) });
    this.#conns.set(member, conn);
    return conn;
  }

  /** A watched object changed on a member: unless it is our own write, its Work gets a pass. */
  #memberEvent(type: AppliedEventType, obj: unknown): void {
    const owner = ownerOf(obj);
    const work = owner && this.d.works(owner.key);
    if (!owner || !work || work.metadata.uid !== owner.uid) return;
    const rv = (obj as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? "";
    const mem = this.#memory.get(owner.key);
    if (type !== "delete" && mem?.rvs.has(rv)) return;
    // Someone else changed or deleted what the Work applied: the next pass puts it back (drift reverted).
    mem?.told.drifted.add(driftKey(obj));
    this.d.mark(owner.key);
  }

  /** The member's Secret changed or went: its connection goes (a new kubeconfig needs a new one). */
  memberChanged(member: string): void {
    const have = this.#conns.get(member);
    const source = this.d.fleet.source(member);
    if (!have || (source?.kubeconfig && sameBytes(have.kubeconfig, source.kubeconfig))) return;
    this.#conns.delete(member);
    have.close();
  }

  forget(key: string): void {
    this.#memory.delete(key);
    this.d.retries.forget(key);
  }

  /** Leadership lost or shutting down: member connections and their watches go. */
  async closeAll(): Promise<void> {
    for (const c of this.#conns.values()) c.close();
    this.#conns.clear();
  }
}
