/**
 * Discovery: /apis, /apis/<group>, /apis/<group>/<version>, and aggregated discovery (apidiscovery.k8s.io v2 and
 * v2beta1) on /apis for hubs ≥ 1.26. Built per request from what the resources say works now, so discovery never
 * advertises a verb that would fail.
 */
import { createHash } from "node:crypto";
import type { ResourceREST } from "../resources/rest.js";

export const storageVersionHash = (group: string, version: string, kind: string): string =>
  createHash("sha256").update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString("base64");

export function apiResourceList(group: string, version: string, rests: ResourceREST[]): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const r of rests) {
    const d = r.descriptor;
    resources.push({
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: r.verbs(),
      ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
      categories: d.categories,
      storageVersionHash: storageVersionHash(d.group, d.version, d.kind),
    });
    for (const [sub, verbs] of Object.entries(r.subresourceVerbs())) {
      resources.push({ name: `${d.plural}/${sub}`, singularName: "", namespaced: d.namespaced, kind: d.kind, verbs });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: `${group}/${version}`, resources };
}

export function apiGroup(group: string, version: string): Record<string, unknown> {
  const gv = { groupVersion: `${group}/${version}`, version };
  return { kind: "APIGroup", apiVersion: "v1", name: group, versions: [gv], preferredVersion: gv };
}

export function apiGroupList(group: string, version: string): Record<string, unknown> {
  const { kind: _k, apiVersion: _a, ...g } = apiGroup(group, version);
  return { kind: "APIGroupList", apiVersion: "v1", groups: [g] };
}

export type AggregatedVersion = "v2" | "v2beta1";

/** What /apis answers in: plain JSON and aggregated discovery (named in its 406). */
export const DISCOVERY_MEDIA_TYPES = [
  "application/json",
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
];

/** Which aggregated discovery form the Accept header asks for, if any (first match wins, as the client orders). */
export function aggregatedDiscoveryRequested(accept: string | undefined): AggregatedVersion | "plain" | undefined {
  if (!accept) return "plain";
  for (const part of accept.split(",")) {
    const [type, ...params] = part.split(";").map((s) => s.trim());
    const p = Object.fromEntries(params.map((kv) => kv.split("=").map((s) => s.trim())));
    if ((type === "application/json" || type === "*/*" || type === "application/*") && !p.as) return "plain";
    if (type === "application/json" && p.as === "APIGroupDiscoveryList" && p.g === "apidiscovery.k8s.io" && (p.v === "v2" || p.v === "v2beta1")) return p.v;
  }
  return undefined;
}

export function aggregatedDiscovery(version: AggregatedVersion, group: string, groupVersion: string, rests: ResourceREST[]): Record<string, unknown> {
  const resources = rests.map((r) => {
    const d = r.descriptor;
    const responseKind = { group: d.group, version: d.version, kind: d.kind };
    return {
      resource: d.plural,
      responseKind,
      scope: d.namespaced ? "Namespaced" : "Cluster",
      singularResource: d.singular,
      verbs: r.verbs(),
      ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
      categories: d.categories,
      subresources: Object.entries(r.subresourceVerbs()).map(([subresource, verbs]) => ({ subresource, responseKind, verbs })),
    };
  });
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: [{ metadata: { name: group }, versions: [{ version: groupVersion, resources, freshness: "Current" }] }],
  };
}

export const etagOf = (buf: Buffer): string => `"${createHash("sha256").update(buf).digest("hex").slice(0, 32).toUpperCase()}"`;
