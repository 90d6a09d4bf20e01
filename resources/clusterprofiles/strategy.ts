/** ClusterProfiles written by users (not joined members): the upstream CRD's rules. */
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../../storage/interface.js";
import { schemaStrategy, type SchemaValidator } from "../generic/schema-strategy.js";
import type { Strategy } from "../generic/strategy.js";

type Spec = { spec?: { clusterManager?: unknown } };

export function clusterProfileStrategy(validateSchema: SchemaValidator): Strategy {
  return schemaStrategy(validateSchema, true, {
    // The CRD's CEL rule `self == oldSelf` on spec.clusterManager (a 1.20 hub does not enforce it; we do).
    validate(obj: KubeObject, _ctx, old?: KubeObject) {
      if (!old) return [];
      const before = (old as Spec).spec?.clusterManager;
      const after = (obj as Spec).spec?.clusterManager;
      if (before !== undefined && !isDeepStrictEqual(before, after)) {
        return [{ type: "FieldValueInvalid", field: "spec.clusterManager", message: 'Invalid value: "object": ClusterManager is immutable' }];
      }
      return [];
    },
  });
}
