/** A member's Nodes, list+watch, reduced to totals (count, cpu and memory capacity and allocatable). */
import type * as k8s from "@kubernetes/client-node";
import { startInformer, type ResilientInformer } from "../kube/informer.js";
import { NodeTotalsTracker, type NodeLike, type NodeTotals } from "./node-totals.js";
import { permissionProblem, type ViewDeps } from "./view-deps.js";

type Node = NodeLike & k8s.KubernetesObject;

export class NodeWatch {
  readonly #deps: ViewDeps;
  readonly #totals = new NodeTotalsTracker();
  #informer: ResilientInformer<Node> | undefined;
  #synced = false;
  #problem: string | undefined;
  #attempted!: () => void;
  /** Settles after the first list attempt, whatever its outcome (the fleet's start gate waits for it). */
  readonly firstAttempt = new Promise<void>((r) => (this.#attempted = r));

  constructor(deps: ViewDeps) {
    this.#deps = deps;
  }

  start(): void {
    const { kc, http, log, opts } = this.#deps;
    this.#informer = startInformer<Node>(
      kc,
      `/api/v1/nodes?timeoutSeconds=${opts.watchTimeoutSeconds}`,
      async () => {
        try {
          const list = await http.getJson<k8s.KubernetesListObject<Node>>("/api/v1/nodes", { timeoutMs: 60_000 });
          this.#setProblem(undefined);
          this.#synced = true;
          this.#deps.changed();
          return list;
        } catch (e) {
          this.#setProblem(permissionProblem(e, "Nodes"));
          throw e;
        } finally {
          this.#attempted();
        }
      },
      // The informer's own retry warnings would repeat every few seconds while a member is down; health says
      // that once, and permission problems are caught above.
      log.child({ watch: "nodes" }, { level: "error" }),
      (type, node) => {
        const changed = type === "delete" ? this.#totals.remove(node) : this.#totals.upsert(node);
        if (changed) this.#deps.changed();
      },
    );
  }

  #setProblem(p: string | undefined): void {
    if (p === this.#problem) return;
    this.#problem = p;
    if (p) this.#deps.log.warn({ problem: p }, "member Nodes cannot be listed");
    this.#deps.changed();
  }

  synced(): boolean {
    return this.#synced;
  }

  totals(): NodeTotals {
    return this.#totals.totals();
  }

  /** e.g. "cannot list Nodes (HTTP 403)". */
  problem(): string | undefined {
    return this.#problem;
  }

  async stop(): Promise<void> {
    await this.#informer?.stop();
  }
}
