/**
 * The federated view: one MemberViewer per member source, kept in step with the hub's Secrets. What the
 * ClusterProfile writer subscribes to: `subscribe(key => …)` fires when a member appeared, changed or left
 * (then `get(key)` is undefined), at most `notifyDelayMs` after the change.
 *
 * `createFleet` takes source changes from anywhere (tests, benchmarks); `startFleet` feeds it from the hub.
 */
import type * as k8s from "@kubernetes/client-node";
import type { Logger } from "pino";
import { createLimiter } from "./limiter.js";
import type { SourceChange } from "./member-index.js";
import type { MemberView } from "./member-view.js";
import { watchMemberSecrets } from "./secret-watcher.js";
import type { MemberSource } from "./secrets.js";
import { sameBytes } from "./sensitive.js";
import type { ViewOptions } from "./view-deps.js";
import { MemberViewer } from "./view.js";

export interface Fleet {
  /** Profile keys ("namespace/name") of every current member. */
  keys(): string[];
  get(key: string): MemberView | undefined;
  /** The Secret-derived source (for the writer's Secret-deleted and adoption decisions). */
  source(key: string): MemberSource | undefined;
  subscribe(listener: (key: string) => void): () => void;
  stop(): Promise<void>;
}

export interface FleetOptions {
  log: Logger;
  view?: Partial<ViewOptions>;
  /** Members doing their first round (probe, first lists) at once; the rest wait their turn. Default 32. */
  startConcurrency?: number;
}

export interface ManualFleet extends Fleet {
  apply(change: SourceChange): void;
}

export function createFleet(opts: FleetOptions): ManualFleet {
  const viewers = new Map<string, MemberViewer>();
  const listeners = new Set<(key: string) => void>();
  let stopped = false;
  const gate = createLimiter(opts.startConcurrency ?? 32);
  const emit = (key: string) => {
    for (const l of listeners) l(key);
  };

  const startViewer = (key: string, source: MemberSource) => {
    const v = new MemberViewer(source, opts.log.child({ member: key }), opts.view);
    v.onChange(() => emit(key));
    viewers.set(key, v);
    v.start(gate);
  };

  return {
    apply(c) {
      if (stopped) return;
      const old = viewers.get(c.key);
      if (c.type === "delete") {
        if (!old) return;
        viewers.delete(c.key);
        void old.stop();
      } else if (old && sameBytes(old.source.kubeconfig, c.source.kubeconfig)) {
        old.setSource(c.source); // display name or ignored Secrets: the connection stays
        return;
      } else {
        // New member, or a new kubeconfig: a fresh view (the old one's connections are for the old one).
        if (old) void old.stop();
        startViewer(c.key, c.source);
      }
      emit(c.key);
    },
    keys: () => [...viewers.keys()],
    get: (key) => viewers.get(key)?.snapshot(),
    source: (key) => viewers.get(key)?.source,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      stopped = true;
      listeners.clear();
      const all = [...viewers.values()];
      viewers.clear();
      await Promise.allSettled(all.map((v) => v.stop()));
    },
  };
}

export interface HubFleet extends Fleet {
  /** Resolves once the hub's member Secrets are listed (every member has a view). */
  synced: Promise<void>;
  isSynced(): boolean;
}

/** Members from the hub's Secrets (`--namespaces`; empty: all). */
export function startFleet(hub: k8s.KubeConfig, opts: FleetOptions & { namespaces: readonly string[] }): HubFleet {
  const fleet = createFleet(opts);
  const secrets = watchMemberSecrets(hub, { namespaces: opts.namespaces, log: opts.log.child({ watch: "member-secrets" }) }, (c) => fleet.apply(c));
  return {
    ...fleet,
    synced: secrets.synced,
    isSynced: () => secrets.isSynced(),
    async stop() {
      await secrets.stop();
      await fleet.stop();
    },
  };
}
