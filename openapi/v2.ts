/**
 * The Swagger 2.0 document served at /openapi/v2, in the form kube-apiserver publishes for custom resources.
 * The hub merges it into its own /openapi/v2, and kubectl ≤ 1.26 (and any kubectl facing a hub that passes no
 * v3) reads it: `x-kubernetes-group-version-kind` as a list on definitions and a single map on operations, PATCH
 * `consumes` without strategic merge, `dryRun`/`fieldValidation` on writes.
 */
import type { ResourceDescriptor } from "../resources/descriptor.js";
import { metaDefinitions } from "./meta-definitions.js";
import { operationTag } from "./names.js";
import { pathParamDescription, QUERY_PARAMS, type QueryParam } from "./parameters.js";
import { resourceDefinitions } from "./resource-schemas.js";
import { resourcePaths, type PathItem, type Route } from "./routes.js";
import type { Schema } from "./schema-types.js";

export interface DocInfo {
  title: string;
  version: string;
}

type Json = Record<string, unknown>;

const queryParam = (name: QueryParam): Json => ({ uniqueItems: true, ...QUERY_PARAMS[name], name, in: "query" });

function operation(r: Route): Json {
  const parameters: Json[] = [];
  if (r.body) {
    parameters.push({ name: "body", in: "body", ...(r.body.required ? { required: true } : {}), schema: { $ref: `#/definitions/${r.body.definition}` } });
  }
  parameters.push(...r.query.map(queryParam));
  const responses: Json = {};
  for (const [code, description, def] of r.responses) responses[String(code)] = { description, schema: { $ref: `#/definitions/${def}` } };
  responses["401"] = { description: "Unauthorized" };
  return {
    description: r.description,
    consumes: r.consumes,
    produces: r.produces,
    schemes: ["https"],
    tags: [operationTag(r.gvk.group, r.gvk.version)],
    operationId: r.operationId,
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
    "x-kubernetes-action": r.action,
    "x-kubernetes-group-version-kind": r.gvk,
  };
}

function pathItem(p: PathItem): Json {
  const item: Json = {};
  for (const r of p.routes) item[r.method] = operation(r);
  item.parameters = [
    ...p.pathParams.map((name) => ({
      uniqueItems: true,
      type: "string",
      description: pathParamDescription(name, p.kind),
      name,
      in: "path",
      required: true,
    })),
    queryParam("pretty"),
  ];
  return item;
}

const sortedObject = <T>(entries: [string, T][]): Record<string, T> =>
  Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export function buildV2(resources: readonly ResourceDescriptor[], info: DocInfo): Json {
  const paths: [string, Json][] = [];
  const definitions: Record<string, Schema> = {};
  const groups = new Set<string>();
  for (const d of resources) {
    for (const p of resourcePaths(d)) paths.push([p.path, pathItem(p)]);
    Object.assign(definitions, resourceDefinitions(d, "v2"));
    if (!groups.has(`${d.group}/${d.version}`)) {
      groups.add(`${d.group}/${d.version}`);
      mergeMetaDefinitions(definitions, metaDefinitions(d.group, d.version));
    }
  }
  return {
    swagger: "2.0",
    info,
    paths: sortedObject(paths),
    definitions: sortedObject(Object.entries(definitions)),
    securityDefinitions: {
      BearerToken: { description: "Bearer Token authentication", type: "apiKey", name: "authorization", in: "header" },
    },
    security: [{ BearerToken: [] }],
  };
}

/** The meta definitions once, with the GVK lists of every group-version we serve. */
export function mergeMetaDefinitions(into: Record<string, Schema>, defs: Record<string, Schema>): void {
  for (const [name, def] of Object.entries(defs)) {
    const existing = into[name];
    const gvks = def["x-kubernetes-group-version-kind"];
    if (existing && Array.isArray(gvks) && Array.isArray(existing["x-kubernetes-group-version-kind"])) {
      const list = existing["x-kubernetes-group-version-kind"] as unknown[];
      for (const g of gvks) if (!list.some((x) => JSON.stringify(x) === JSON.stringify(g))) list.push(g);
    } else if (!existing) {
      into[name] = def;
    }
  }
}
