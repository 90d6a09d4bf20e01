/**
 * Objects → meta.k8s.io Table (what `kubectl get` prints) and PartialObjectMetadata (what the hub's garbage
 * collector and namespace controller read). Pure functions over a resource's column spec.
 */
import type { Columns, KubeObject } from "../resources/rest.js";

export type IncludeObject = "None" | "Metadata" | "Object";

export function partialObjectMetadata(obj: KubeObject, version: "v1" | "v1beta1"): KubeObject {
  return { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function partialObjectMetadataList(
  items: KubeObject[],
  listMeta: Record<string, unknown>,
  version: "v1" | "v1beta1",
): Record<string, unknown> {
  return {
    kind: "PartialObjectMetadataList",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta,
    items: items.map((o) => partialObjectMetadata(o, version)),
  };
}

export interface TableOptions {
  version: "v1" | "v1beta1";
  includeObject: IncludeObject;
  /** Leave out columnDefinitions (watch events after the first). */
  noHeaders?: boolean;
}

export function toTable(
  columns: Columns,
  objects: KubeObject[],
  listMeta: Record<string, unknown>,
  opts: TableOptions,
): Record<string, unknown> {
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: columns.cells(o) };
    if (opts.includeObject === "Object") row.object = o;
    else if (opts.includeObject === "Metadata") row.object = partialObjectMetadata(o, opts.version);
    else row.object = null; // kube-apiserver writes the key, empty
    return row;
  });
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: listMeta,
    columnDefinitions: opts.noHeaders ? null : columns.definitions,
    rows,
  };
}
