/**
 * A member's about.k8s.io ClusterProperties. The API is optional (a CRD the member may install at any time),
 * so discovery runs periodically: when it appears we list+watch it at the version the member serves, when it
 * goes the properties go too. Not installed is a normal, synced state: no properties.
 */
import type * as k8s from "@kubernetes/client-node";
import { startInformer, type ResilientInformer } from "../kube/informer.js";
import { ABOUT_GROUP, candidateVersions, servesClusterProperties, type APIGroupDoc, type APIResourceListDoc } from "./about-discovery.js";
import { PropertyTracker, type ClusterPropertyLike, type ObservedProperty } from "./properties.js";
import { jitter, permissionProblem, Timers, type ViewDeps } from "./view-deps.js";

type ClusterProperty = ClusterPropertyLike & k8s.KubernetesObject;

export class PropertyWatch {
  readonly #deps: ViewDeps;
  readonly #timers = new Timers();
  readonly #props = new PropertyTracker();
  #informer: ResilientInformer<ClusterProperty> | undefined;
  /** The version watched; null: discovery says none is served; undefined: not known yet. */
  #version: string | null | undefined;
  #synced = false;
  #problem: string | undefined;
  #attempted!: () => void;
  /** Settles after the first discovery (and, when the API is there, the first list) attempt. */
  readonly firstAttempt = new Promise<void>((r) => (this.#attempted = r));
  #firstList: Promise<void> | undefined;

  constructor(deps: ViewDeps) {
    this.#deps = deps;
  }

  start(): void {
    void this.#discover();
  }

  /** The version served, or null when none; throws when the member cannot say (unreachable, 5xx). */
  async #servedVersion(): Promise<string | null> {
    const { http, opts } = this.#deps;
    const group = await http.get(`/apis/${ABOUT_GROUP}`, { timeoutMs: opts.probeTimeoutMs, maxBytes: 1 << 20 });
    if (group.status === 404) return null;
    if (group.status !== 200) throw new Error(`discovery answered ${group.status}`);
    for (const v of candidateVersions(JSON.parse(group.body) as APIGroupDoc)) {
      const list = await http.getJson<APIResourceListDoc>(`/apis/${ABOUT_GROUP}/${v}`, { timeoutMs: opts.probeTimeoutMs });
      if (servesClusterProperties(list)) return v;
    }
    return null;
  }

  async #discover(): Promise<void> {
    try {
      const v = await this.#servedVersion();
      if (!this.#timers.stopped) await this.#use(v);
    } catch {
      // Unreachable or confused: keep what we have, try again later.
    }
    void (this.#firstList ?? Promise.resolve()).then(this.#attempted);
    const { opts } = this.#deps;
    this.#timers.after(jitter(this.#version ? opts.discoveryRecheckMs : opts.discoveryIntervalMs), () => void this.#discover());
  }

  async #use(version: string | null): Promise<void> {
    if (version === this.#version) return;
    const { log } = this.#deps;
    // "None" at the first look is the common case for thousands of members: only a change is news.
    const level = this.#version === undefined && version === null ? "debug" : "info";
    log[level]({ version: version ?? "none" }, version ? `member serves ClusterProperties at ${ABOUT_GROUP}/${version}` : "member serves no ClusterProperty API");
    const old = this.#informer;
    this.#informer = undefined;
    this.#version = version;
    await old?.stop();
    this.#props.clear();
    this.#synced = version === null;
    this.#problem = undefined;
    if (version) this.#watch(version);
    this.#deps.changed();
  }

  #watch(version: string): void {
    const { kc, http, log, opts } = this.#deps;
    const path = `/apis/${ABOUT_GROUP}/${version}/clusterproperties`;
    let listed!: () => void;
    this.#firstList ??= new Promise<void>((r) => (listed = r));
    const firstListed = () => listed?.();
    const informer: ResilientInformer<ClusterProperty> = startInformer<ClusterProperty>(
      kc,
      `${path}?timeoutSeconds=${opts.watchTimeoutSeconds}`,
      async () => {
        try {
          const list = await http.getJson<k8s.KubernetesListObject<ClusterProperty>>(path, { timeoutMs: 60_000 });
          if (this.#informer === informer) {
            this.#synced = true;
            this.#problem = undefined;
            this.#deps.changed();
          }
          return list;
        } catch (e) {
          const p = permissionProblem(e, "ClusterProperties");
          if (p !== this.#problem && this.#informer === informer) {
            this.#problem = p;
            if (p) log.warn({ problem: p }, "member ClusterProperties cannot be listed");
            this.#deps.changed();
          }
          throw e;
        } finally {
          firstListed();
        }
      },
      log.child({ watch: "clusterproperties" }, { level: "error" }),
      (type, p) => {
        if (this.#informer !== informer) return; // a stopped informer's late event
        if (type === "delete") {
          if (this.#props.remove(p)) this.#deps.changed();
          return;
        }
        const r = this.#props.upsert(p, opts.now());
        if (r.dropped) log.warn({ property: r.dropped.name, length: r.dropped.length }, `ClusterProperty ${r.dropped.name} is left out of the profile: its value has ${r.dropped.length} characters, more than the 1024 a ClusterProfile property allows`);
        if (r.changed) this.#deps.changed();
      },
    );
    this.#informer = informer;
  }

  synced(): boolean {
    return this.#synced;
  }

  list(): ObservedProperty[] {
    return this.#props.list();
  }

  problem(): string | undefined {
    return this.#problem;
  }

  async stop(): Promise<void> {
    this.#timers.stop();
    const i = this.#informer;
    this.#informer = undefined;
    await i?.stop();
  }
}
