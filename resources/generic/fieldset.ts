/**
 * A set of field paths (fieldpath.Set of structured-merge-diff): what one manager owns. A tree whose nodes are
 * path elements; a node is a *member* when the path ending there is in the set, and has *children* for longer
 * paths. Members and children are independent: `.spec` may be a member and have children too (FieldsV1 writes
 * that as `"f:spec": {".": {}, …}`).
 */
import {
  comparePE,
  deserializePE,
  PathElementError,
  serializePE,
  type Path,
  type PathElement,
} from "./fieldpath.js";
import { isPlainObject } from "../../lib/objects.js";

export class FieldSet {
  private readonly members = new Map<string, PathElement>();
  /** Never holds an empty set (every operation prunes them), so emptiness is cheap to tell. */
  private readonly children = new Map<string, { pe: PathElement; set: FieldSet }>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** Adds a path (mutates; sets are built with this and then treated as values). */
  insert(path: Path): void {
    if (path.length === 0) return;
    const [head, ...rest] = path as [PathElement, ...PathElement[]];
    const k = serializePE(head);
    if (rest.length === 0) {
      this.members.set(k, head);
      return;
    }
    let node = this.children.get(k);
    if (!node) {
      node = { pe: head, set: new FieldSet() };
      this.children.set(k, node);
    }
    node.set.insert(rest);
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const [head, ...rest] = path as [PathElement, ...PathElement[]];
    const k = serializePE(head);
    if (rest.length === 0) return this.members.has(k);
    return this.children.get(k)?.set.has(rest) ?? false;
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePE(pe));
  }

  /** The paths below `pe`, relative to it (fieldpath.Set.WithPrefix). */
  child(pe: PathElement): FieldSet | undefined {
    return this.children.get(serializePE(pe))?.set;
  }

  memberElements(): PathElement[] {
    return [...this.members.values()];
  }

  childElements(): { pe: PathElement; set: FieldSet }[] {
    return [...this.children.values()];
  }

  union(o: FieldSet): FieldSet {
    const out = this.clone();
    for (const [k, pe] of o.members) out.members.set(k, pe);
    for (const [k, node] of o.children) {
      const mine = out.children.get(k);
      out.children.set(k, { pe: node.pe, set: mine ? mine.set.union(node.set) : node.set.clone() });
    }
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (o.members.has(k)) out.members.set(k, pe);
    for (const [k, node] of this.children) {
      const theirs = o.children.get(k);
      if (theirs) out.setChild(k, node.pe, node.set.intersection(theirs.set));
    }
    return out;
  }

  /** Paths in this set and not in `o` (path by path: a member of `o` does not take its subtree away). */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, node] of this.children) {
      const theirs = o.children.get(k);
      out.setChild(k, node.pe, theirs ? node.set.difference(theirs.set) : node.set.clone());
    }
    return out;
  }

  /** Paths in this set that neither are in `o` nor lie below a member of `o` (fieldpath.Set.RecursiveDifference). */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, node] of this.children) {
      if (o.members.has(k)) continue;
      const theirs = o.children.get(k);
      out.setChild(k, node.pe, theirs ? node.set.recursiveDifference(theirs.set) : node.set.clone());
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    if (this.members.size !== o.members.size || this.children.size !== o.children.size) return false;
    for (const k of this.members.keys()) if (!o.members.has(k)) return false;
    for (const [k, node] of this.children) {
      const theirs = o.children.get(k);
      if (!theirs || !node.set.equals(theirs.set)) return false;
    }
    return true;
  }

  /** Every path, in fieldpath.Set.Iterate's order: this level's members (sorted), then each child's paths. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = sorted(this.memberElements()).map((pe) => [...prefix, pe]);
    for (const node of sortedNodes(this.childElements())) out.push(...node.set.paths([...prefix, node.pe]));
    return out;
  }

  /**
   * The FieldsV1 form: one key per element in PathElement order, `{}` for a member without children, and a
   * `"."` entry first where a member also has children.
   */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys = new Set([...this.members.keys(), ...this.children.keys()]);
    const elements = [...keys].map((k) => this.members.get(k) ?? this.children.get(k)!.pe);
    for (const pe of sorted(elements)) {
      const k = serializePE(pe);
      const node = this.children.get(k);
      if (!node) {
        out[k] = {};
        continue;
      }
      out[k] = this.members.has(k) ? { ".": {}, ...node.set.toFieldsV1() } : node.set.toFieldsV1();
    }
    return out;
  }

  /** Parses FieldsV1 as FieldsToSet does; throws PathElementError on malformed input. */
  static fromFieldsV1(v: unknown): FieldSet {
    if (!isPlainObject(v)) throw new PathElementError("FieldsV1 must be a JSON object");
    return readLevel(v).children ?? new FieldSet();
  }

  private setChild(k: string, pe: PathElement, set: FieldSet): void {
    if (set.isEmpty()) this.children.delete(k);
    else this.children.set(k, { pe, set });
  }

  private clone(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, node] of this.children) out.children.set(k, { pe: node.pe, set: node.set.clone() });
    return out;
  }

  /** Adds members without copying (for parsing and building). */
  addMember(pe: PathElement): void {
    this.members.set(serializePE(pe), pe);
  }

  addChild(pe: PathElement, set: FieldSet): void {
    const k = serializePE(pe);
    const mine = this.children.get(k);
    this.setChild(k, pe, mine ? mine.set.union(set) : set);
  }
}

const sorted = (pes: PathElement[]): PathElement[] => [...pes].sort(comparePE);
const sortedNodes = <T extends { pe: PathElement }>(nodes: T[]): T[] => [...nodes].sort((a, b) => comparePE(a.pe, b.pe));

/** readIterV1: a level's children, and whether the level itself is a member (an empty object or a "." key). */
function readLevel(obj: Record<string, unknown>): { children?: FieldSet; isMember: boolean } {
  let children: FieldSet | undefined;
  let isMember = false;
  for (const [k, v] of Object.entries(obj)) {
    if (k === ".") {
      isMember = true;
      continue;
    }
    const pe = deserializePE(k);
    // A future element kind: dropped, as upstream drops what it does not understand.
    if (!pe) continue;
    if (!isPlainObject(v)) throw new PathElementError(`expected an object at ${k}`);
    const sub = readLevel(v);
    children ??= new FieldSet();
    if (sub.isMember) children.addMember(pe);
    if (sub.children) children.addChild(pe, sub.children);
  }
  if (!children) isMember = true;
  return children ? { children, isMember } : { isMember };
}
