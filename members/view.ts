/**
 * The live view of one member: /readyz polled (health), /version, Nodes (totals) and ClusterProperties, as an
 * immutable `MemberView` snapshot plus a "changed" signal (at most `notifyDelayMs` after the change). Every
 * request has a deadline and nothing waits on another member, so a slow or broken member only shows up in its
 * own conditions. Credentials stay inside the member's KubeConfig and HTTP agent.
 */
import type { Logger } from "pino";
import { healthFromProbe, ignoredNote, joinedAfterProbe, type ConditionState, type ProbeOutcome } from "./health.js";
import { KubeconfigError, loadMemberKubeconfig, type MemberAccess } from "./kubeconfig.js";
import type { Limiter } from "./limiter.js";
import { createMemberHttp, type MemberHttp } from "./member-http.js";
import type { MemberView, ViewCondition } from "./member-view.js";
import { NodeWatch } from "./node-watch.js";
import { rfc3339 } from "./properties.js";
import { PropertyWatch } from "./property-watch.js";
import type { MemberSource } from "./secrets.js";
import { defaultViewOptions, jitter, Timers, type ViewDeps, type ViewOptions } from "./view-deps.js";

export type { MemberView, ViewCondition } from "./member-view.js";
export { defaultViewOptions, type ViewOptions } from "./view-deps.js";

export class MemberViewer {
  readonly #opts: ViewOptions;
  readonly #log: Logger;
  readonly #timers = new Timers();
  readonly #listeners = new Set<() => void>();
  #source: MemberSource;
  #access: MemberAccess | undefined;
  #http: MemberHttp | undefined;
  #nodes: NodeWatch | undefined;
  #props: PropertyWatch | undefined;
  #health: ViewCondition;
  #joined: ViewCondition;
  #version: string | undefined;
  #kubeSystemUid: string | undefined;
  #kubeSystemWarned = false;
  #versionAt = 0;
  #snapshot: MemberView | undefined;
  #notifyPending = false;
  #release: (() => void) | undefined;

  constructor(source: MemberSource, log: Logger, opts: Partial<ViewOptions> = {}) {
    this.#opts = { ...defaultViewOptions, ...opts };
    this.#source = source;
    this.#log = log;
    const since = rfc3339(this.#opts.now());
    const where = `Secret ${source.namespace}/${source.secretName}`;
    try {
      if (!source.kubeconfig) throw new KubeconfigError(`${where} has no data.${source.key}`);
      this.#access = loadMemberKubeconfig(source.kubeconfig.reveal());
      const waiting = { status: "Unknown" as const, reason: "Connecting", message: `waiting for the first answer from ${this.#access.server}`, since, pending: true as const };
      this.#health = waiting;
      this.#joined = waiting;
    } catch (e) {
      const why = e instanceof KubeconfigError ? e.message : "the kubeconfig cannot be loaded";
      log.warn({ secret: where, problem: why }, "member kubeconfig unusable");
      this.#health = { status: "Unknown", reason: "InvalidKubeconfig", message: `cannot contact the member: the kubeconfig in ${where} is unusable`, since };
      this.#joined = { status: "False", reason: "InvalidKubeconfig", message: `${where} key ${source.key}: ${why}`, since };
    }
  }

  /**
   * Starts probing and watching; a view with an unusable kubeconfig just shows that. With a gate, the first
   * round (client, probe, first lists) happens while holding one of its slots.
   */
  start(gate?: Limiter): void {
    const access = this.#access;
    if (!access) return;
    void (async () => {
      const release = gate ? await gate.acquire() : () => undefined;
      // Whatever happens to this member, its slot comes back: a hung member must not hold the fleet's start.
      const failsafe = setTimeout(release, 2 * this.#opts.probeTimeoutMs + 2_000).unref();
      this.#release = release;
      try {
        if (this.#timers.stopped) return;
        const http = await createMemberHttp(access, { timeoutMs: this.#opts.probeTimeoutMs });
        if (this.#timers.stopped) return http.close();
        this.#http = http;
        const deps: ViewDeps = { kc: access.kc, http, log: this.#log, opts: this.#opts, changed: () => this.#changed() };
        this.#nodes = new NodeWatch(deps);
        this.#props = new PropertyWatch(deps);
        this.#nodes.start();
        this.#props.start();
        const probing = this.#probeLoop();
        await Promise.all([probing, this.#nodes.firstAttempt, this.#props.firstAttempt]);
      } catch (e) {
        this.#log.error({ err: (e as Error).message }, "cannot build the member client");
      } finally {
        clearTimeout(failsafe);
        release();
      }
    })();
  }

  /** Same kubeconfig, other details (display name, ignored Secrets). A new kubeconfig needs a new viewer. */
  setSource(source: MemberSource): void {
    this.#source = source;
    this.#changed();
  }

  get source(): MemberSource {
    return this.#source;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.#timers.stop();
    this.#release?.();
    this.#listeners.clear();
    await Promise.allSettled([this.#nodes?.stop(), this.#props?.stop()]);
    this.#http?.close();
  }

  async #probeLoop(): Promise<void> {
    await this.#probe();
    this.#timers.after(jitter(this.#opts.healthIntervalMs), () => void this.#probeLoop());
  }

  async #probe(): Promise<void> {
    const http = this.#http!;
    let outcome: ProbeOutcome;
    try {
      outcome = await http.get("/readyz", { maxBytes: 1 << 20 });
    } catch (error) {
      outcome = { error };
    }
    if (this.#timers.stopped) return;
    const wasHealthy = this.#health.reason === "Healthy";
    this.#health = this.#transition(this.#health, healthFromProbe(outcome), "health");
    this.#joined = this.#transition(this.#joined, joinedAfterProbe(this.#joined, outcome, this.#access!.server), "joined");
    const now = this.#opts.now().getTime();
    if (this.#health.reason === "Healthy" && (!this.#version || !wasHealthy || now - this.#versionAt > this.#opts.versionRefreshMs)) {
      await this.#fetchVersion(http, now);
    }
    if (this.#health.reason === "Healthy" && !this.#kubeSystemUid) await this.#fetchKubeSystemUid(http);
  }

  /** Read once: a namespace's uid never changes, and kube-system is never deleted. */
  async #fetchKubeSystemUid(http: MemberHttp): Promise<void> {
    try {
      const ns = await http.getJson<{ metadata?: { uid?: string } }>("/api/v1/namespaces/kube-system");
      if (typeof ns.metadata?.uid === "string" && ns.metadata.uid) {
        this.#kubeSystemUid = ns.metadata.uid;
        this.#changed();
      }
    } catch (e) {
      // Without it a member with no cluster.clusterset.k8s.io has no inventory member id yet; the next probe
      // retries. Said at warn once (its credentials may not read namespaces), then at debug: probes are frequent.
      const level = this.#kubeSystemWarned ? "debug" : "warn";
      this.#kubeSystemWarned = true;
      this.#log[level]({ err: (e as Error).message }, "cannot read the member's kube-system namespace (its inventory member id)");
    }
  }

  async #fetchVersion(http: MemberHttp, now: number): Promise<void> {
    try {
      const v = await http.getJson<{ gitVersion?: string }>("/version");
      this.#versionAt = now;
      if (typeof v.gitVersion === "string" && v.gitVersion !== this.#version) {
        this.#version = v.gitVersion;
        this.#changed();
      }
    } catch {
      // The next healthy probe tries again.
    }
  }

  #transition(prev: ViewCondition, next: ConditionState, what: string): ViewCondition {
    if (!prev.pending && prev.status === next.status && prev.reason === next.reason && prev.message === next.message) return prev;
    if (prev.reason !== next.reason) {
      // Thousands of members turning Healthy at start would flood the log: only changes after that are news.
      const level = next.status !== "True" ? "warn" : prev.pending ? "debug" : "info";
      this.#log[level]({ [what]: next.status, reason: next.reason, message: next.message }, `member ${what}: ${next.reason}`);
    }
    this.#changed();
    return { ...next, since: prev.status === next.status && !prev.pending ? prev.since : rfc3339(this.#opts.now()) };
  }

  #changed(): void {
    this.#snapshot = undefined;
    if (this.#notifyPending || this.#timers.stopped) return;
    this.#notifyPending = true;
    this.#timers.after(this.#opts.notifyDelayMs, () => {
      this.#notifyPending = false;
      for (const l of this.#listeners) l();
    });
  }

  snapshot(): MemberView {
    if (this.#snapshot) return this.#snapshot;
    const s = this.#source;
    const a = this.#access;
    const problems = [this.#nodes?.problem(), this.#props?.problem()].filter((p): p is string => !!p);
    const joinedMsg = this.#joined.message + (this.#joined.status === "True" && problems.length ? `; ${problems.join("; ")}` : "") + ignoredNote(s.namespace, s.ignored);
    const view: MemberView = {
      name: s.profile,
      namespace: s.namespace,
      secretRef: { namespace: s.namespace, name: s.secretName, key: s.key, kind: s.kind },
      ...(s.displayName ? { displayName: s.displayName } : {}),
      server: a?.server ?? "",
      ...(a?.caData ? { caData: a.caData } : {}),
      ...(a?.tlsServerName ? { tlsServerName: a.tlsServerName } : {}),
      ...(a?.insecureSkipTLSVerify ? { insecureSkipTLSVerify: true } : {}),
      ...(a?.proxyUrl ? { proxyUrl: a.proxyUrl } : {}),
      ...(a ? { context: a.context } : {}),
      ...(this.#version ? { version: this.#version } : {}),
      ...(this.#kubeSystemUid ? { kubeSystemUid: this.#kubeSystemUid } : {}),
      health: this.#health,
      joined: { ...this.#joined, message: joinedMsg },
      nodes: { ...(this.#nodes?.totals() ?? { count: 0, cpuCapacity: "0", memoryCapacity: "0", cpuAllocatable: "0", memoryAllocatable: "0" }), synced: this.#nodes?.synced() ?? false },
      properties: this.#props?.list() ?? [],
      propertiesSynced: this.#props?.synced() ?? false,
    };
    this.#snapshot = Object.freeze(view);
    return this.#snapshot;
  }
}
