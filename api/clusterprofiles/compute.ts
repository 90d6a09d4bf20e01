/**
 * A joined member's ClusterProfile, computed from its live view and the stored object (pure; ../../docs/design.md "A joined
 * member's ClusterProfile" and "How computed objects live").
 *
 * How the writer uses it: on every view change (and namespace label change), `next = computeProfile(view,
 * stored, new Date(), { namespaceLabels })`; if there is no stored object, create `next` (storage assigns uid
 * and creationTimestamp); else if `!sameContent(next, stored)`, update with `next` (it carries the stored
 * resourceVersion, usable as a precondition, and its own `metadata.generation`: write it as given). An
 * unchanged member yields an object equal to the stored one, so nothing is written and no event is sent.
 */
import { isDeepStrictEqual } from "node:util";
import { GROUP_VERSION } from "../group.js";
import type { MemberView } from "../../members/member-view.js";
import type { KubeObject } from "../../storage/interface.js";
import { accessProviders, condition, joinedState, properties, type Condition, type Property } from "./compute-status.js";
import { MEMBER_ID_LABEL } from "./member-id.js";

export { ACCESS_PROVIDER_NAME, EXEC_EXTENSION_NAME, NODE_PROPERTIES, type Condition, type Property } from "./compute-status.js";

export const CLUSTER_MANAGER = "clusterset-apiserver";
export const MANAGER_LABEL = "x-k8s.io/cluster-manager";
export const CLUSTERSET_LABEL = "multicluster.x-k8s.io/clusterset";
export const API_VERSION = GROUP_VERSION;

export interface ComputeOptions {
  /** Labels of the profile's namespace: `multicluster.x-k8s.io/clusterset` is copied onto the profile. */
  namespaceLabels?: Readonly<Record<string, string>>;
  /** The member's inventory member id (./member-id.ts), when it has one it may carry. */
  memberId?: string;
}

interface ProfileStatus {
  conditions?: Condition[];
  properties?: Property[];
  version?: { kubernetes?: string };
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** Our label keys carry our values (or are absent when we have none); every other label is the user's. */
function labels(stored: Record<string, string> | undefined, opts: ComputeOptions): Record<string, string> {
  const out: Record<string, string> = { ...stored };
  delete out[CLUSTERSET_LABEL];
  delete out[MEMBER_ID_LABEL];
  out[MANAGER_LABEL] = CLUSTER_MANAGER;
  const set = opts.namespaceLabels?.[CLUSTERSET_LABEL];
  if (set !== undefined) out[CLUSTERSET_LABEL] = set;
  if (opts.memberId !== undefined) out[MEMBER_ID_LABEL] = opts.memberId;
  return out;
}

export function computeProfile(view: MemberView, stored: KubeObject | undefined, now: Date, opts: ComputeOptions = {}): KubeObject {
  const at = rfc3339(now);
  const spec = { clusterManager: { name: CLUSTER_MANAGER }, ...(view.displayName ? { displayName: view.displayName } : {}) };
  // Generation moves with spec, as for a custom resource with a status subresource.
  const storedGen = stored?.metadata.generation ?? 0;
  const generation = !stored ? 1 : isDeepStrictEqual(stored.spec, spec) ? Math.max(storedGen, 1) : storedGen + 1;
  const old = (stored?.status ?? {}) as ProfileStatus;
  const oldCond = (type: string) => old.conditions?.find((c) => c.type === type);
  const version = view.version ?? old.version?.kubernetes;
  const providers = accessProviders(view);
  const status = {
    ...(version ? { version: { kubernetes: version } } : {}),
    conditions: [
      condition("ControlPlaneHealthy", view.health, oldCond("ControlPlaneHealthy"), generation, at),
      condition("Joined", joinedState(view, oldCond("Joined")), oldCond("Joined"), generation, at),
    ],
    properties: properties(view, old.properties ?? [], at, stored !== undefined),
    ...(providers ? { accessProviders: providers } : {}),
  };
  const metadata = {
    ...stored?.metadata,
    name: view.name,
    namespace: view.namespace,
    labels: labels(stored?.metadata.labels, opts),
    generation,
  };
  return { apiVersion: API_VERSION, kind: "ClusterProfile", metadata, spec, status };
}

/** Equal but for resourceVersion and managedFields: writing `next` over `stored` would change nothing. */
export function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { resourceVersion: _rv, managedFields: _mf, ...metadata } = o.metadata;
    return { ...o, metadata };
  };
  return isDeepStrictEqual(strip(a), strip(b));
}

/** A user-made profile of the member's name is adopted only when it already names us as its manager. */
export function canAdopt(stored: KubeObject): boolean {
  return (stored.spec as { clusterManager?: { name?: string } } | undefined)?.clusterManager?.name === CLUSTER_MANAGER;
}

/**
 * An adopted profile whose Secret was deleted stays, as stored, with Joined=False (../../docs/design.md). Returns the
 * object to write (equal to `stored` per `sameContent` when it already says so).
 */
export function leftProfile(stored: KubeObject, secret: { namespace: string; name: string }, now: Date): KubeObject {
  const old = (stored.status ?? {}) as ProfileStatus;
  const prev = old.conditions?.find((c) => c.type === "Joined");
  const generation = stored.metadata.generation ?? 1;
  const at = rfc3339(now);
  const joined = condition("Joined", { status: "False", reason: "SecretDeleted", message: `Secret ${secret.namespace}/${secret.name} was deleted; the profile was adopted, so it stays`, since: at }, prev, generation, at);
  const conditions = [...(old.conditions ?? []).filter((c) => c.type !== "Joined"), joined];
  return { ...stored, status: { ...old, conditions } };
}
