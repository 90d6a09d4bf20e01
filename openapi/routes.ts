/**
 * The operations a resource offers, in one neutral form that v2.ts and v3.ts render: the same routes
 * apiextensions-apiserver's OpenAPI builder lists for a custom resource (list across namespaces; list, create,
 * deletecollection; get, replace, delete, patch; get/replace/patch of /status). Watching is the list
 * operation's `watch` parameter, as for custom resources (no deprecated /watch/ paths).
 */
import type { ResourceDescriptor } from "../resources/descriptor.js";
import { article, definitionName, META, operationId } from "./names.js";
import type { GVK } from "./schema-types.js";
import type { QueryParam } from "./parameters.js";

export type Method = "get" | "post" | "put" | "patch" | "delete";
export type Action = "list" | "post" | "deletecollection" | "get" | "put" | "delete" | "patch";

export interface Route {
  method: Method;
  action: Action;
  operationId: string;
  description: string;
  query: QueryParam[];
  /** Request body: the definition it refers to; required unless a DeleteOptions. */
  body?: { definition: string; required: boolean };
  /** Response code → [description, definition]. 401 (no body) is added by the renderers. */
  responses: [number, string, string][];
  produces: string[];
  /** Request content types; PATCH lists only the patch types we accept (never strategic merge). */
  consumes: string[];
  gvk: GVK;
}

export interface PathItem {
  path: string;
  /** Path parameters, in the order kube lists them. */
  pathParams: ("name" | "namespace")[];
  /** Describes the name parameter: "name of the ClusterProfile". */
  kind: string;
  routes: Route[];
}

/** What we accept for PATCH. Strategic merge patch is answered 415, as kube-apiserver does for custom resources. */
export const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

const JSON_YAML = ["application/json", "application/yaml"];
const LIST_PRODUCES = [...JSON_YAML, "application/json;stream=watch", "application/yaml;stream=watch"];
const LIST_QUERY: QueryParam[] = [
  "allowWatchBookmarks",
  "continue",
  "fieldSelector",
  "labelSelector",
  "limit",
  "resourceVersion",
  "resourceVersionMatch",
  "sendInitialEvents",
  "timeoutSeconds",
  "watch",
];
const DELETE_QUERY: QueryParam[] = ["dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy"];
const DELETECOLLECTION_QUERY: QueryParam[] = [
  "continue",
  "dryRun",
  "fieldSelector",
  "gracePeriodSeconds",
  "labelSelector",
  "limit",
  "orphanDependents",
  "propagationPolicy",
  "resourceVersion",
  "resourceVersionMatch",
  "sendInitialEvents",
  "timeoutSeconds",
];
const WRITE_QUERY: QueryParam[] = ["dryRun", "fieldManager", "fieldValidation"];
const PATCH_QUERY: QueryParam[] = ["dryRun", "fieldManager", "fieldValidation", "force"];

export function resourcePaths(d: ResourceDescriptor): PathItem[] {
  const kindDef = definitionName(d.group, d.version, d.kind);
  const listDef = definitionName(d.group, d.version, d.listKind);
  const status = `${META}.Status`;
  const gvk: GVK = { group: d.group, kind: d.kind, version: d.version };
  const ns = d.namespaced ? "Namespaced" : "";
  const id = (verb: string, rest: string) => operationId(verb, rest, d.group, d.version);
  const a = article(d.kind);

  const base = `/apis/${d.group}/${d.version}`;
  const collection = d.namespaced ? `${base}/namespaces/{namespace}/${d.plural}` : `${base}/${d.plural}`;
  const nsParam: ("namespace")[] = d.namespaced ? ["namespace"] : [];

  const common = { gvk, consumes: ["*/*"] };
  const list = (operation: string): Route => ({
    ...common,
    method: "get",
    action: "list",
    operationId: operation,
    description: `list objects of kind ${d.kind}`,
    query: LIST_QUERY,
    responses: [[200, "OK", listDef]],
    produces: LIST_PRODUCES,
  });
  const read = (sub: string): Route => ({
    ...common,
    method: "get",
    action: "get",
    operationId: id("read", `${ns}${d.kind}${sub ? "Status" : ""}`),
    description: `read${sub} the specified ${d.kind}`,
    query: [],
    responses: [[200, "OK", kindDef]],
    produces: JSON_YAML,
  });
  const replace = (sub: string): Route => ({
    ...common,
    method: "put",
    action: "put",
    operationId: id("replace", `${ns}${d.kind}${sub ? "Status" : ""}`),
    description: `replace${sub} the specified ${d.kind}`,
    query: WRITE_QUERY,
    body: { definition: kindDef, required: true },
    responses: [
      [200, "OK", kindDef],
      [201, "Created", kindDef],
    ],
    produces: JSON_YAML,
  });
  const patch = (sub: string): Route => ({
    ...common,
    method: "patch",
    action: "patch",
    operationId: id("patch", `${ns}${d.kind}${sub ? "Status" : ""}`),
    description: `partially update${sub} the specified ${d.kind}`,
    query: PATCH_QUERY,
    body: { definition: `${META}.Patch`, required: true },
    responses: [
      [200, "OK", kindDef],
      [201, "Created", kindDef],
    ],
    produces: JSON_YAML,
    consumes: PATCH_TYPES,
  });

  const items: PathItem[] = [];
  if (d.namespaced) {
    items.push({ path: `${base}/${d.plural}`, pathParams: [], kind: d.kind, routes: [list(id("list", `${d.kind}ForAllNamespaces`))] });
  }
  items.push({
    path: collection,
    pathParams: nsParam,
    kind: d.kind,
    routes: [
      list(id("list", `${ns}${d.kind}`)),
      {
        ...common,
        method: "post",
        action: "post",
        operationId: id("create", `${ns}${d.kind}`),
        description: `create${a}${d.kind}`,
        query: WRITE_QUERY,
        body: { definition: kindDef, required: true },
        responses: [
          [200, "OK", kindDef],
          [201, "Created", kindDef],
          [202, "Accepted", kindDef],
        ],
        produces: JSON_YAML,
      },
      {
        ...common,
        method: "delete",
        action: "deletecollection",
        operationId: id("delete", `Collection${ns}${d.kind}`),
        description: `delete collection of ${d.kind}`,
        query: DELETECOLLECTION_QUERY,
        body: { definition: `${META}.DeleteOptions`, required: false },
        responses: [[200, "OK", status]],
        produces: JSON_YAML,
      },
    ],
  });
  items.push({
    path: `${collection}/{name}`,
    pathParams: ["name", ...nsParam],
    kind: d.kind,
    routes: [
      read(""),
      replace(""),
      {
        ...common,
        method: "delete",
        action: "delete",
        operationId: id("delete", `${ns}${d.kind}`),
        description: `delete${a}${d.kind}`,
        query: DELETE_QUERY,
        body: { definition: `${META}.DeleteOptions`, required: false },
        responses: [
          [200, "OK", status],
          [202, "Accepted", status],
        ],
        produces: JSON_YAML,
      },
      patch(""),
    ],
  });
  if (d.subresources.includes("status")) {
    items.push({
      path: `${collection}/{name}/status`,
      pathParams: ["name", ...nsParam],
      kind: d.kind,
      routes: [read(" status of"), replace(" status of"), patch(" status of")],
    });
  }
  return items;
}
