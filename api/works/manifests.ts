/**
 * A Work's manifests as the dispatcher handles them (pure): what each one is (group, version, kind, name,
 * namespace), in which order they reach a member (Namespaces and CRDs first, so what lives in them can follow),
 * in which order they leave it (the reverse), how an applied object is marked as ours, and what a new spec no
 * longer lists (pruning). ../../docs/design.md "Works".
 */
import type { KubeObject } from "../../storage/interface.js";
import { isPlainObject } from "../../lib/objects.js";

/** The member a Work targets: a ClusterProfile of that name in the Work's namespace. */
export const workClusterLabel = "clusterset.dev/cluster";
export const WORK_FINALIZER = "multicluster.x-k8s.io/work-cleanup";
export const WORK_UID_LABEL = "clusterset.dev/work-uid";
export const WORK_ANNOTATION = "clusterset.dev/work";
export const DELETE_OPTION_ANNOTATION = "clusterset.dev/delete-option";
export const FIELD_MANAGER = "clusterset-apiserver";

/** What a manifest is, before the member's discovery says which resource serves it. */
export interface ManifestRef {
  ordinal: number;
  apiVersion: string;
  group: string;
  version: string;
  kind: string;
  name: string;
  /** As written; a namespaced manifest without one goes to "default" (as kubectl does). */
  namespace: string;
  manifest: Record<string, unknown>;
}

/** The status identifier of an applied manifest (the Work CRD's `identifier`). */
export interface Identifier {
  ordinal: number;
  group: string;
  version: string;
  kind: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

/** A manifest that cannot be sent at all (no name, no kind): reported, never applied. */
export interface BadManifest {
  ordinal: number;
  kind: string;
  name: string;
  message: string;
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === "string" ? v : "");

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The member key ("<namespace>/<profile>") a Work targets, or undefined without the label. */
export function workTarget(work: KubeObject): string | undefined {
  const cluster = work.metadata.labels?.[workClusterLabel];
  return cluster ? `${work.metadata.namespace ?? ""}/${cluster}` : undefined;
}

export const workKey = (work: KubeObject) => `${work.metadata.namespace ?? ""}/${work.metadata.name ?? ""}`;
export const isDeleting = (work: KubeObject) => Boolean(work.metadata.deletionTimestamp);
export const hasFinalizer = (work: KubeObject) => (work.metadata.finalizers ?? []).includes(WORK_FINALIZER);
export const orphans = (work: KubeObject) => work.metadata.annotations?.[DELETE_OPTION_ANNOTATION] === "Orphan";

export function manifestsOf(work: KubeObject): unknown[] {
  const spec = work.spec as { workload?: { manifests?: unknown } } | undefined;
  const m = spec?.workload?.manifests;
  return Array.isArray(m) ? m : [];
}

/** Every manifest of the Work, parsed; those that cannot name an object go to `bad`. */
export function parseManifests(work: KubeObject): { refs: ManifestRef[]; bad: BadManifest[] } {
  const refs: ManifestRef[] = [];
  const bad: BadManifest[] = [];
  manifestsOf(work).forEach((raw, ordinal) => {
    const m = isPlainObject(raw) ? raw : {};
    const md = isPlainObject(m.metadata) ? m.metadata : {};
    const apiVersion = str(m.apiVersion);
    const kind = str(m.kind);
    const name = str(md.name);
    const problem = !apiVersion ? "no apiVersion" : !kind ? "no kind" : !name ? "no metadata.name (generateName cannot be applied: the object would have no stable name)" : "";
    if (problem) return void bad.push({ ordinal, kind, name, message: problem });
    refs.push({ ordinal, apiVersion, ...splitApiVersion(apiVersion), kind, name, namespace: str(md.namespace), manifest: m });
  });
  return { refs, bad };
}

const isNamespace = (r: { group: string; kind: string }) => r.group === "" && r.kind === "Namespace";
const isCRD = (r: { group: string; kind: string }) => r.group === "apiextensions.k8s.io" && r.kind === "CustomResourceDefinition";
const rank = (r: { group: string; kind: string }) => (isNamespace(r) ? 0 : isCRD(r) ? 1 : 2);

/** Apply order: Namespaces, then CRDs, then the rest; manifest order within each. */
export function applyOrder<T extends { group: string; kind: string; ordinal: number }>(refs: readonly T[]): T[] {
  return [...refs].sort((a, b) => rank(a) - rank(b) || a.ordinal - b.ordinal);
}

/** Delete order: the reverse, so nothing is deleted before what lives in it. */
export function deleteOrder<T extends { group: string; kind: string; ordinal: number }>(ids: readonly T[]): T[] {
  return [...ids].sort((a, b) => rank(b) - rank(a) || b.ordinal - a.ordinal);
}

/** Same object whatever the version it was applied at: pruning compares these. */
export const identityKey = (id: { group: string; kind: string; namespace?: string; name?: string }) => `${id.group}|${id.kind}|${id.namespace ?? ""}|${id.name ?? ""}`;

/** The kinds (group/kind) a Work's CRD manifests define: their objects may wait for the CRD to be served. */
export function kindsDefinedByCRDs(refs: readonly ManifestRef[]): Set<string> {
  const out = new Set<string>();
  for (const r of refs) {
    if (!isCRD(r)) continue;
    const spec = isPlainObject(r.manifest.spec) ? r.manifest.spec : {};
    const names = isPlainObject(spec.names) ? spec.names : {};
    if (str(spec.group) && str(names.kind)) out.add(`${str(spec.group)}/${str(names.kind)}`);
  }
  return out;
}

/** The body sent with server-side apply: the manifest, our mark added, server-owned metadata left out. */
export function markedManifest(ref: ManifestRef, work: KubeObject, namespace: string | undefined): Record<string, unknown> {
  const md = isPlainObject(ref.manifest.metadata) ? ref.manifest.metadata : {};
  const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, managedFields: _mf, generation: _g, selfLink: _s, deletionTimestamp: _dt, ...keep } = md;
  const labels = { ...(isPlainObject(md.labels) ? md.labels : {}), [WORK_UID_LABEL]: work.metadata.uid ?? "" };
  const annotations = { ...(isPlainObject(md.annotations) ? md.annotations : {}), [WORK_ANNOTATION]: workKey(work) };
  const metadata: Obj = { ...keep, labels, annotations };
  if (namespace) metadata.namespace = namespace;
  else delete metadata.namespace;
  return { ...ref.manifest, metadata };
}

/** Whether a member object carries this Work's mark (only those are ever deleted). */
export function markedBy(obj: unknown, uid: string): boolean {
  const md = isPlainObject(obj) && isPlainObject(obj.metadata) ? obj.metadata : {};
  const labels = isPlainObject(md.labels) ? md.labels : {};
  return uid !== "" && labels[WORK_UID_LABEL] === uid;
}

/** The Work an applied object belongs to (from its annotation and label), for member-side events. */
export function ownerOf(obj: unknown): { key: string; uid: string } | undefined {
  const md = isPlainObject(obj) && isPlainObject(obj.metadata) ? obj.metadata : {};
  const key = isPlainObject(md.annotations) ? str(md.annotations[WORK_ANNOTATION]) : "";
  const uid = isPlainObject(md.labels) ? str(md.labels[WORK_UID_LABEL]) : "";
  return key && uid ? { key, uid } : undefined;
}

/** Previously applied identifiers whose object the current manifests no longer name: to delete. */
export function toPrune(previous: readonly Identifier[], current: readonly Identifier[]): Identifier[] {
  const keep = new Set(current.map(identityKey));
  // A current manifest the member's discovery did not resolve has no defaulted namespace yet: keep any
  // namespace's object of that name rather than risk deleting what the Work still lists.
  const loose = (id: Identifier) => `${id.group}|${id.kind}|${id.name ?? ""}`;
  const keepLoose = new Set(current.filter((c) => !c.resource).map(loose));
  const seen = new Set<string>();
  const out: Identifier[] = [];
  for (const id of previous) {
    const k = identityKey(id);
    if (!id.resource || !id.name || keep.has(k) || keepLoose.has(loose(id)) || seen.has(k)) continue;
    seen.add(k);
    out.push(id);
  }
  return out;
}

/** The identifiers stored in a Work's status (what an earlier sync, maybe by another leader, applied). */
export function storedIdentifiers(work: KubeObject): Identifier[] {
  const status = work.status as { manifestConditions?: { identifier?: Identifier }[] } | undefined;
  // Whatever its Applied condition says now, an identifier with a resource may name an object we applied
  // earlier: pruning checks the mark on the member anyway.
  return (status?.manifestConditions ?? []).flatMap((mc) => (mc.identifier?.resource && mc.identifier.name ? [mc.identifier] : []));
}
