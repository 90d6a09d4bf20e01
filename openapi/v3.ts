/**
 * The OpenAPI 3.0 document of one group-version (/openapi/v3/apis/<group>/<version>), in kube-apiserver's
 * form: components.schemas with the v2 definition names, references wrapped in allOf where they carry a
 * description (3.0 forbids siblings of $ref), requestBody per content type. kubectl ≥ 1.27 reads it for
 * `explain` and to choose a patch type: PATCH lists only the types we accept, never strategic merge.
 */
import { OpenApiBuilder, type OpenAPIObject, type OperationObject, type ParameterObject, type PathItemObject, type SchemaObject } from "openapi3-ts/oas30";
import type { ResourceDescriptor } from "../resources/descriptor.js";
import { metaDefinitions } from "./meta-definitions.js";
import { operationTag } from "./names.js";
import { pathParamDescription, QUERY_PARAMS, type QueryParam } from "./parameters.js";
import { mapSchema, resourceDefinitions } from "./resource-schemas.js";
import { resourcePaths, type PathItem, type Route } from "./routes.js";
import type { Schema } from "./schema-types.js";
import { mergeMetaDefinitions, type DocInfo } from "./v2.js";

const V2_PREFIX = "#/definitions/";
const V3_PREFIX = "#/components/schemas/";

/** Rewrites v2-style references for components.schemas. */
export function toV3Schema(s: Schema): SchemaObject {
  return mapSchema(s, (node) => {
    if (!node.$ref) return node;
    const { $ref, ...rest } = node;
    const target = $ref.startsWith(V2_PREFIX) ? V3_PREFIX + $ref.slice(V2_PREFIX.length) : $ref;
    return Object.keys(rest).length === 0 ? { $ref: target } : { ...rest, allOf: [{ $ref: target }] };
  }) as SchemaObject;
}

const schemaRef = (definition: string) => ({ $ref: V3_PREFIX + definition });

const queryParam = (name: QueryParam): ParameterObject => {
  const { type, description } = QUERY_PARAMS[name];
  return { name, in: "query", description, schema: { type, uniqueItems: true } };
};

function operation(r: Route): OperationObject {
  const op: OperationObject = {
    tags: [operationTag(r.gvk.group, r.gvk.version)],
    description: r.description,
    operationId: r.operationId,
    responses: {},
  };
  if (r.query.length > 0) op.parameters = r.query.map(queryParam);
  if (r.body) {
    const schema = schemaRef(r.body.definition);
    op.requestBody = {
      content: Object.fromEntries(r.consumes.map((ct) => [ct, { schema }])),
      ...(r.body.required ? { required: true } : {}),
    };
  }
  for (const [code, description, def] of r.responses) {
    op.responses[String(code)] = { description, content: Object.fromEntries(r.produces.map((ct) => [ct, { schema: schemaRef(def) }])) };
  }
  op.responses["401"] = { description: "Unauthorized" };
  op["x-kubernetes-action"] = r.action;
  op["x-kubernetes-group-version-kind"] = r.gvk;
  if (r.body) op["x-codegen-request-body-name"] = "body";
  return op;
}

function pathItem(p: PathItem): PathItemObject {
  const item: PathItemObject = {};
  for (const r of p.routes) item[r.method] = operation(r);
  item.parameters = [
    ...p.pathParams.map(
      (name): ParameterObject => ({
        name,
        in: "path",
        description: pathParamDescription(name, p.kind),
        required: true,
        schema: { type: "string", uniqueItems: true },
      }),
    ),
    queryParam("pretty"),
  ];
  return item;
}

/** The document for the resources of one group-version. */
export function buildV3(resources: readonly ResourceDescriptor[], info: DocInfo): OpenAPIObject {
  const first = resources[0];
  if (!first) throw new Error("buildV3: no resources");
  const definitions: Record<string, Schema> = {};
  for (const d of resources) Object.assign(definitions, resourceDefinitions(d, "v3"));
  mergeMetaDefinitions(definitions, metaDefinitions(first.group, first.version));

  const builder = OpenApiBuilder.create({ openapi: "3.0.0", info: { ...info }, paths: {}, components: { schemas: {} } });
  const paths = resources.flatMap(resourcePaths).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const p of paths) builder.addPath(p.path, pathItem(p));
  for (const name of Object.keys(definitions).sort()) builder.addSchema(name, toV3Schema(definitions[name]!));
  builder.addSecurityScheme("BearerToken", { type: "apiKey", description: "Bearer Token authentication", name: "authorization", in: "header" });
  const doc = builder.getSpec();
  doc.security = [{ BearerToken: [] }];
  return doc;
}
