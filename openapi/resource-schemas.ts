/**
 * A resource's published definitions (the kind and its list), built from the CRD schema the way
 * apiextensions-apiserver's OpenAPI builder does: TypeMeta descriptions on apiVersion/kind, metadata as a
 * reference to ObjectMeta, apiVersion/kind/metadata spelled out on embedded resources, the
 * x-kubernetes-group-version-kind list. For v2 the schema first loses what Swagger 2.0 and kubectl's v2
 * reader cannot take (ToStructuralOpenAPIV2). References are written v2-style; v3.ts rewrites them.
 */
import type { ResourceDescriptor } from "../resources/descriptor.js";
import { LIST_META_DESCRIPTION, OBJECT_META_DESCRIPTION, typeMetaProperties } from "./meta-definitions.js";
import { definitionName, META } from "./names.js";
import type { Schema } from "./schema-types.js";

export type Flavor = "v2" | "v3";

const ref = (name: string, description?: string): Schema =>
  description ? { description, $ref: `#/definitions/${name}` } : { $ref: `#/definitions/${name}` };

/** Applies `fn` to every schema node (not to property maps), children first. */
export function mapSchema(s: Schema, fn: (s: Schema) => Schema): Schema {
  const out: Schema = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, mapSchema(v, fn)]));
  if (typeof s.additionalProperties === "object") out.additionalProperties = mapSchema(s.additionalProperties, fn);
  if (s.items) out.items = mapSchema(s.items, fn);
  for (const k of ["allOf", "anyOf", "oneOf"] as const) {
    const list = s[k];
    if (list) out[k] = list.map((x) => mapSchema(x, fn));
  }
  if (s.not) out.not = mapSchema(s.not, fn);
  return fn(out);
}

/** ToStructuralOpenAPIV2, plus dropping CEL rules, which Swagger 2.0 readers have no use for. */
export function toV2Schema(s: Schema): Schema {
  return mapSchema(s, (node) => {
    const out: Schema = { ...node };
    delete out.allOf;
    delete out.anyOf;
    delete out.oneOf;
    delete out.not;
    delete out["x-kubernetes-validations"];
    if (out.nullable) {
      // Swagger 2.0 has no null: kube-apiserver drops the type (and what hangs off it) so that kubectl accepts
      // null there; x-nullable says why, for readers that know go-swagger's extension.
      delete out.type;
      delete out.nullable;
      delete out.items;
      delete out.properties;
      out["x-nullable"] = true;
    }
    // kubectl's v2 reader refuses unknown fields where properties or items are listed.
    if (out["x-kubernetes-preserve-unknown-fields"]) {
      delete out.items;
      delete out.properties;
    }
    if (out.type === "array" && !out.items) delete out.type;
    // A property that may be null cannot be required once its type is gone.
    if (out.required && out.properties) {
      const props = out.properties;
      const kept = out.required.filter((r) => props[r]?.["x-nullable"] !== true);
      if (kept.length > 0) out.required = kept;
      else delete out.required;
    }
    if (typeof out.additionalProperties === "object" && out.additionalProperties["x-nullable"]) delete out.required;
    return out;
  });
}

/** addEmbeddedProperties: embedded resources show apiVersion, kind and metadata like any object. */
function addEmbeddedProperties(s: Schema, flavor: Flavor): Schema {
  return mapSchema(s, (node) => {
    if (!node["x-kubernetes-embedded-resource"]) return node;
    // Listing properties under preserve-unknown-fields would make kubectl's v2 validation refuse the rest.
    if (flavor === "v2" && node["x-kubernetes-preserve-unknown-fields"]) return node;
    const tm = typeMetaProperties();
    const required = node.required ?? [];
    return {
      ...node,
      properties: {
        ...node.properties,
        apiVersion: { ...tm.apiVersion!, description: EMBEDDED_API_VERSION },
        kind: { ...tm.kind!, description: EMBEDDED_KIND },
        metadata: ref(`${META}.ObjectMeta`, OBJECT_META_DESCRIPTION),
      },
      required: [...required, ...["kind", "apiVersion"].filter((r) => !required.includes(r))],
    };
  });
}

const EMBEDDED_API_VERSION =
  "apiVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
const EMBEDDED_KIND =
  "kind is a string value representing the type of this object. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

/** The kind's and the list's definitions for one document flavor, by definition name. */
export function resourceDefinitions(d: ResourceDescriptor, flavor: Flavor): Record<string, Schema> {
  const kindName = definitionName(d.group, d.version, d.kind);
  const listName = definitionName(d.group, d.version, d.listKind);

  let root: Schema = structuredClone(d.schema) as Schema;
  if (flavor === "v2") root = toV2Schema(root);
  root = addEmbeddedProperties(root, flavor);
  const tm = typeMetaProperties();
  root = {
    ...root,
    type: "object",
    properties: { ...root.properties, apiVersion: tm.apiVersion!, kind: tm.kind!, metadata: ref(`${META}.ObjectMeta`, OBJECT_META_DESCRIPTION) },
    "x-kubernetes-group-version-kind": [{ group: d.group, kind: d.kind, version: d.version }],
  };

  const list: Schema = {
    description: `${d.listKind} is a list of ${d.kind}`,
    type: "object",
    required: ["items"],
    properties: {
      apiVersion: tm.apiVersion!,
      items: {
        description: `List of ${d.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        type: "array",
        items: ref(kindName),
      },
      kind: tm.kind!,
      metadata: ref(`${META}.ListMeta`, LIST_META_DESCRIPTION),
    },
    "x-kubernetes-group-version-kind": [{ group: d.group, kind: d.listKind, version: d.version }],
  };
  return { [kindName]: root, [listName]: list };
}
