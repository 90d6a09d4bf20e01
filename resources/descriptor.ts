/**
 * What the rest of the server needs to know about a served resource: its names (discovery, Status messages,
 * storage keys), scope, subresources, and the schema that validates it and that OpenAPI publishes.
 */
import type { CRDNames } from "./schema/crds.js";
import type { JSONSchemaProps } from "./schema/types.js";

/** The CRD's names (kind, listKind, plural — the resource name in URLs —, singular, shortNames, categories), plus: */
export interface ResourceDescriptor extends CRDNames {
  group: string;
  version: string;
  namespaced: boolean;
  subresources: "status"[];
  /** The upstream openAPIV3Schema (frozen). */
  schema: JSONSchemaProps;
}
