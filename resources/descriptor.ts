/**
 * What the rest of the server needs to know about a served resource: its names (discovery, Status messages,
 * storage keys), scope, subresources, and the schema that validates it and that OpenAPI publishes.
 */
import type { JSONSchemaProps } from "./schema/types.js";

export interface ResourceDescriptor {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** The resource name in URLs: `clusterprofiles`. */
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  subresources: "status"[];
  /** The upstream openAPIV3Schema (frozen). */
  schema: JSONSchemaProps;
}
