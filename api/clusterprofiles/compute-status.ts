/**
 * The status parts of a joined member's ClusterProfile (pure): conditions, properties, access providers.
 * Each part reuses what is stored when nothing really changed, so recomputing an unchanged member yields an
 * identical object: timestamps move only with the values they describe, and a freshly started view (a new
 * leader) that has not heard from its member yet does not overwrite what was known.
 */
import type { MemberView, ViewCondition } from "../../members/member-view.js";

export const ACCESS_PROVIDER_NAME = "kubeconfig-secretreader";
export const EXEC_EXTENSION_NAME = "client.authentication.k8s.io/exec";
const MAX_VALUE = 1024;
const MAX_MESSAGE = 32768;

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration: number;
}

export interface Property {
  name: string;
  value: string;
  lastObservedTime?: string;
}

/** Ours, summed over the member's Nodes. */
export const NODE_PROPERTIES = {
  "clusterset.dev/node-count": (n: MemberView["nodes"]) => String(n.count),
  "clusterset.dev/cpu-capacity": (n: MemberView["nodes"]) => n.cpuCapacity,
  "clusterset.dev/memory-capacity": (n: MemberView["nodes"]) => n.memoryCapacity,
  "clusterset.dev/cpu-allocatable": (n: MemberView["nodes"]) => n.cpuAllocatable,
  "clusterset.dev/memory-allocatable": (n: MemberView["nodes"]) => n.memoryAllocatable,
} as const;
const isNodeProperty = (name: string) => name in NODE_PROPERTIES;

export function condition(type: string, state: ViewCondition, stored: Condition | undefined, generation: number, now: string): Condition {
  if (stored && state.pending) return { ...stored, observedGeneration: generation };
  let ltt: string;
  if (stored && stored.status === state.status) ltt = stored.lastTransitionTime;
  // The view's own time of the change, unless another replica's clock already wrote a later one.
  else ltt = stored && state.since < stored.lastTransitionTime ? now : state.since;
  const message = state.message.length > MAX_MESSAGE ? `${state.message.slice(0, MAX_MESSAGE - 3)}...` : state.message;
  return { type, status: state.status, reason: state.reason, message, lastTransitionTime: ltt, observedGeneration: generation };
}

/**
 * Joined means "the Secret is valid and the member was reached": a member another leader reached before stays
 * Joined while this view has only seen it unreachable.
 */
export function joinedState(view: MemberView, stored: Condition | undefined): ViewCondition {
  if (stored?.status === "True" && view.joined.status === "False" && view.joined.reason === "Unreachable") {
    return { status: "True", reason: stored.reason, message: stored.message, since: stored.lastTransitionTime };
  }
  return view.joined;
}

function keepTime(name: string, value: string, stored: readonly Property[], fallback: string): string {
  const s = stored.find((p) => p.name === name);
  return s && s.value === value && s.lastObservedTime ? s.lastObservedTime : fallback;
}

export function properties(view: MemberView, stored: readonly Property[], now: string, hasStored: boolean): Property[] {
  const out: Property[] = [];
  if (view.propertiesSynced || !hasStored) {
    for (const p of view.properties) {
      if (p.value.length === 0 || p.value.length > MAX_VALUE || isNodeProperty(p.name)) continue;
      out.push({ name: p.name, value: p.value, lastObservedTime: keepTime(p.name, p.value, stored, p.firstSeen) });
    }
  } else {
    out.push(...stored.filter((p) => !isNodeProperty(p.name)));
  }
  if (view.nodes.synced) {
    for (const [name, get] of Object.entries(NODE_PROPERTIES)) {
      const value = get(view.nodes);
      out.push({ name, value, lastObservedTime: keepTime(name, value, stored, now) });
    }
  } else {
    out.push(...stored.filter((p) => isNodeProperty(p.name)));
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * One provider for the upstream kubeconfig-secretreader plugin: the member's server and CA, and where the
 * plugin finds the kubeconfig (the member's Secret). Never a credential: those stay in the Secret.
 */
export function accessProviders(view: MemberView): object[] | undefined {
  if (!view.server) return undefined;
  const cluster = {
    server: view.server,
    ...(view.caData ? { "certificate-authority-data": view.caData } : {}),
    ...(view.tlsServerName ? { "tls-server-name": view.tlsServerName } : {}),
    ...(view.insecureSkipTLSVerify ? { "insecure-skip-tls-verify": true } : {}),
    ...(view.proxyUrl ? { "proxy-url": view.proxyUrl } : {}),
    extensions: [{ name: EXEC_EXTENSION_NAME, extension: { name: view.secretRef.name, namespace: view.secretRef.namespace, key: view.secretRef.key } }],
  };
  return [{ name: ACCESS_PROVIDER_NAME, cluster }];
}
