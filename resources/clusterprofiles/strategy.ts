/**
 * ClusterProfiles written by users (not joined members): the upstream CRD's rules, including its CEL rule
 * `self == oldSelf` on spec.clusterManager (which the schema validator checks given the stored object).
 */
import { schemaStrategy, type SchemaValidator } from "../generic/schema-strategy.js";
import type { Strategy } from "../generic/strategy.js";

export function clusterProfileStrategy(validateSchema: SchemaValidator): Strategy {
  return schemaStrategy(validateSchema, true);
}
