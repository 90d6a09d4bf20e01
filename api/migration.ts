/**
 * Moving in from the upstream CRDs (`clusterset-apiserver migrate`): which objects are copied, what of each is
 * kept, and what a copy does to what storage already holds (pure). A copy keeps the object as the hub stored it —
 * uid and creationTimestamp included, so owner references and the garbage collector keep working — but for what
 * only its old store can mean (resourceVersion, selfLink).
 */
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../storage/interface.js";
import { GROUP, GROUP_VERSION, VERSION } from "./group.js";

/** What the upstream CRDs serve that we store, at the version both store. */
export const MIGRATED = [
  { resource: "clusterprofiles", kind: "ClusterProfile" },
  { resource: "placementdecisions", kind: "PlacementDecision" },
  { resource: "works", kind: "Work" },
] as const;
export const MIGRATED_GROUP = GROUP;
export const MIGRATED_VERSION = VERSION;

export type CopyAction = "create" | "update" | "unchanged" | "conflict" | "skip";

export interface CopyPlan {
  action: CopyAction;
  /** Why, for conflict and skip. */
  reason?: string;
  /** The object to store, for create and update. */
  object?: KubeObject;
}

/** The storage key of a namespaced object of `resource`, as the registry keys it. */
export const storageKey = (resource: string, o: KubeObject) => `/${resource}/${o.metadata.namespace}/${o.metadata.name}`;

/** `obj` as read from the hub, as we would store it. */
export function storedCopy(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, selfLink: _sl, ...metadata } = obj.metadata as KubeObject["metadata"] & { selfLink?: string };
  return { ...obj, apiVersion: GROUP_VERSION, metadata };
}

/** What copying `incoming` (from the hub) does given what storage holds at its key. */
export function planCopy(incoming: KubeObject, existing: KubeObject | undefined): CopyPlan {
  if (incoming.metadata.deletionTimestamp) return { action: "skip", reason: "being deleted on the hub" };
  const object = storedCopy(incoming);
  if (!existing) return { action: "create", object };
  if (existing.metadata.uid !== incoming.metadata.uid) {
    return { action: "conflict", reason: `storage holds another object of that name (uid ${existing.metadata.uid}, not ${incoming.metadata.uid}); left as it is` };
  }
  const { resourceVersion: _rv, ...held } = existing.metadata;
  if (isDeepStrictEqual({ ...existing, metadata: held }, object)) return { action: "unchanged" };
  return { action: "update", object };
}
