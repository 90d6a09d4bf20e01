/** One simulated member: its health, version, Nodes and ClusterProperties, and the knobs tests turn. */
import { randomBytes, randomUUID } from "node:crypto";
import { SimApplied } from "./sim-applied.js";
import { SimCollection, type SimObject } from "./sim-collection.js";

/**
 * ready: all fine. notready: /readyz 500 (the rest answers). unauthorized: every request 401. unreachable: every
 * connection dropped, open watches cut. hang: requests never answered (the client's deadline decides).
 */
export type SimHealth = "ready" | "notready" | "unauthorized" | "unreachable" | "hang";

export interface SimNode {
  cpu: string;
  memory: string;
  cpuAllocatable?: string;
  memoryAllocatable?: string;
}

export interface SimMemberInit {
  version?: string;
  /** about.k8s.io versions served, preferred first; null: the ClusterProperty CRD is not installed. */
  aboutVersions?: string[] | null;
  nodes?: Record<string, SimNode>;
  properties?: Record<string, string>;
}

export class SimMember {
  readonly token = `sim-${randomBytes(12).toString("hex")}`;
  /** The kube-system namespace's uid: the member's id when it has no cluster.clusterset.k8s.io property. */
  readonly kubeSystemUid = randomUUID();
  version: string;
  health: SimHealth = "ready";
  aboutVersions: string[] | null;
  rv = 1;
  readonly nodes: SimCollection;
  readonly properties: SimCollection;
  /** What Works applied (discovery, apply, get, delete, list+watch of a few built-in kinds). */
  readonly applied: SimApplied;

  constructor(
    readonly name: string,
    init: SimMemberInit = {},
  ) {
    this.version = init.version ?? "v1.30.2-sim";
    this.aboutVersions = init.aboutVersions === undefined ? ["v1beta1", "v1alpha1"] : init.aboutVersions;
    const nextRv = () => ++this.rv;
    this.nodes = new SimCollection(nextRv, (o) => ({ apiVersion: "v1", kind: "Node", ...o }));
    this.properties = new SimCollection(nextRv, (o: SimObject, v) => ({ apiVersion: `about.k8s.io/${v}`, kind: "ClusterProperty", ...o }));
    this.applied = new SimApplied(nextRv);
    for (const [n, r] of Object.entries(init.nodes ?? {})) this.addNode(n, r);
    for (const [n, v] of Object.entries(init.properties ?? {})) this.setProperty(n, v);
  }

  addNode(name: string, r: SimNode): void {
    this.nodes.upsert(name, {
      status: {
        capacity: { cpu: r.cpu, memory: r.memory, pods: "110" },
        allocatable: { cpu: r.cpuAllocatable ?? r.cpu, memory: r.memoryAllocatable ?? r.memory, pods: "110" },
      },
    });
  }

  /** A kubelet heartbeat: the Node changes, its resources do not. */
  touchNode(name: string): void {
    const n = this.nodes.get(name);
    if (n) this.nodes.upsert(name, { status: n.status, spec: { heartbeat: Date.now() } });
  }

  deleteNode(name: string): boolean {
    return this.nodes.delete(name);
  }

  setProperty(name: string, value: string): void {
    this.properties.upsert(name, { spec: { value } });
  }

  deleteProperty(name: string): boolean {
    return this.properties.delete(name);
  }

  setHealth(h: SimHealth): void {
    this.health = h;
    if (h === "unreachable") this.dropWatches(true);
  }

  /** Installs (or re-versions) the ClusterProperty API; properties already set stay. */
  installAbout(versions: string[] = ["v1beta1", "v1alpha1"]): void {
    this.aboutVersions = versions;
  }

  /** Removes the API, as deleting the CRD would (its objects go too). */
  uninstallAbout(): void {
    this.aboutVersions = null;
    for (const n of this.properties.names()) this.properties.delete(n);
    this.properties.dropWatches(false);
  }

  dropWatches(destroy: boolean): void {
    this.nodes.dropWatches(destroy);
    this.properties.dropWatches(destroy);
    this.applied.dropWatches(destroy);
  }
}
