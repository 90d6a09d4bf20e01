/**
 * A member's Node totals: count and summed cpu/memory capacity and allocatable, as canonical quantities.
 * Kept per Node by name, so a Node event that changes nothing we sum (kubelet heartbeats, conditions, images)
 * is recognised as no change and costs the hub nothing.
 */
import { sumQuantities } from "./quantity.js";

export interface NodeLike {
  metadata?: { name?: string };
  status?: { capacity?: Record<string, string>; allocatable?: Record<string, string> };
}

export interface NodeResources {
  cpuCapacity?: string;
  memoryCapacity?: string;
  cpuAllocatable?: string;
  memoryAllocatable?: string;
}

export interface NodeTotals {
  count: number;
  cpuCapacity: string;
  memoryCapacity: string;
  cpuAllocatable: string;
  memoryAllocatable: string;
}

export function nodeResources(n: NodeLike): NodeResources {
  const c = n.status?.capacity ?? {};
  const a = n.status?.allocatable ?? {};
  const out: NodeResources = {};
  if (c.cpu !== undefined) out.cpuCapacity = c.cpu;
  if (c.memory !== undefined) out.memoryCapacity = c.memory;
  if (a.cpu !== undefined) out.cpuAllocatable = a.cpu;
  if (a.memory !== undefined) out.memoryAllocatable = a.memory;
  return out;
}

const same = (a: NodeResources, b: NodeResources) =>
  a.cpuCapacity === b.cpuCapacity && a.memoryCapacity === b.memoryCapacity && a.cpuAllocatable === b.cpuAllocatable && a.memoryAllocatable === b.memoryAllocatable;

export class NodeTotalsTracker {
  readonly #nodes = new Map<string, NodeResources>();
  #cached: NodeTotals | undefined;

  /** Returns whether the totals may have changed. */
  upsert(n: NodeLike): boolean {
    const name = n.metadata?.name ?? "";
    const r = nodeResources(n);
    const old = this.#nodes.get(name);
    if (old && same(old, r)) return false;
    this.#nodes.set(name, r);
    this.#cached = undefined;
    return true;
  }

  remove(n: NodeLike): boolean {
    const changed = this.#nodes.delete(n.metadata?.name ?? "");
    if (changed) this.#cached = undefined;
    return changed;
  }

  clear(): void {
    this.#nodes.clear();
    this.#cached = undefined;
  }

  totals(): NodeTotals {
    if (this.#cached) return this.#cached;
    const all = [...this.#nodes.values()];
    const sum = (k: keyof NodeResources) => sumQuantities(all.map((r) => r[k])).total;
    this.#cached = {
      count: all.length,
      cpuCapacity: sum("cpuCapacity"),
      memoryCapacity: sum("memoryCapacity"),
      cpuAllocatable: sum("cpuAllocatable"),
      memoryAllocatable: sum("memoryAllocatable"),
    };
    return this.#cached;
  }
}
