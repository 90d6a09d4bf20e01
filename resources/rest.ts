/**
 * The REST surface a resource offers, and all the HTTP layer may know of resources. apiserver/ imports this
 * file only; each resource (clusterprofiles, works, placementdecisions) provides one `ResourceREST`.
 */
import type { KubeObject, Watch } from "../storage/interface.js";
import type { ResourceDescriptor } from "./descriptor.js";

export * from "./errors.js";
export type { KubeObject, Watch, WatchEvent } from "../storage/interface.js";
export type { ResourceDescriptor } from "./descriptor.js";

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

/** Who asks, where, and the write options every mutating verb shares. */
export interface RequestContext {
  user: UserInfo;
  /** "" for all namespaces (list/watch across namespaces). */
  namespace: string;
  dryRun: boolean;
  fieldManager?: string;
  /** The User-Agent header: names the field manager of writes that give no fieldManager. */
  userAgent?: string;
  fieldValidation: "Strict" | "Warn" | "Ignore";
  /** Warnings to return in `Warning:` headers (unknown fields with fieldValidation=Warn, …). */
  warnings: string[];
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
}

export interface KubeList {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

export type PatchType = "json" | "merge" | "apply";

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  gracePeriodSeconds?: number;
}

export interface ColumnDefinition {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  priority: number;
}

export interface Columns {
  definitions: ColumnDefinition[];
  /** One row's cells, in the order of `definitions`. */
  cells(obj: KubeObject): unknown[];
}

export interface ResourceREST {
  readonly descriptor: ResourceDescriptor;
  readonly columns: Columns;
  /** The verbs that work right now (discovery advertises exactly these). */
  verbs(): string[];
  /** Subresources served, with their verbs. */
  subresourceVerbs(): Record<string, string[]>;

  get(ctx: RequestContext, name: string, subresource?: string): Promise<KubeObject>;
  list(ctx: RequestContext, query: ListQuery): Promise<KubeList>;
  watch(ctx: RequestContext, query: ListQuery): Promise<Watch>;
  create(ctx: RequestContext, body: unknown): Promise<KubeObject>;
  update(ctx: RequestContext, name: string, body: unknown, subresource?: string): Promise<{ object: KubeObject; created: boolean }>;
  patch(ctx: RequestContext, name: string, type: PatchType, patch: unknown, subresource?: string, force?: boolean): Promise<{ object: KubeObject; created: boolean }>;
  delete(ctx: RequestContext, name: string, opts: DeleteOptions): Promise<{ object: KubeObject; gone: boolean }>;
  deleteCollection(ctx: RequestContext, query: ListQuery, opts: DeleteOptions): Promise<KubeList>;
}
