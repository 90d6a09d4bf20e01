/**
 * ClusterProfiles. Those written by users behave exactly as the upstream CRD (including its CEL rules, such as
 * `self == oldSelf` on spec.clusterManager, run by the schema validator given the stored object). Those of
 * joined members are the member's: spec and status are refused, delete is refused while the Secret exists, and
 * our own label keys keep our values.
 */
import { isDeepStrictEqual } from "node:util";
import { GROUP } from "../../api/group.js";
import type { KubeObject } from "../../storage/interface.js";
import { conflict, invalid } from "../errors.js";
import { schemaStrategy, type SchemaValidator } from "../generic/schema-strategy.js";
import type { Strategy } from "../generic/strategy.js";
import { CLUSTERSET_LABEL, MANAGER_LABEL } from "../../api/clusterprofiles/compute.js";
import { joinedSecret, type JoinedMembers } from "../../api/clusterprofiles/joined.js";

const gr = { group: GROUP, resource: "clusterprofiles" };

export const computedStatusMessage = "computed by clusterset-apiserver";

export function clusterProfileStrategy(validateSchema: SchemaValidator, members: JoinedMembers): Strategy {
  return schemaStrategy(validateSchema, true, {
    prepareForUpdate(obj: KubeObject, old: KubeObject, _ctx, subresource?: string) {
      const secret = joinedSecret(old, members);
      if (!secret) return;
      const name = old.metadata.name ?? "";
      if (subresource === "status") {
        if (!isDeepStrictEqual(obj.status, old.status)) {
          throw invalid(GROUP, "ClusterProfile", name, [{ type: "FieldValueForbidden", field: "status", message: `Forbidden: ${computedStatusMessage}` }]);
        }
        return;
      }
      if (!isDeepStrictEqual(obj.spec, old.spec)) {
        throw invalid(GROUP, "ClusterProfile", name, [
          { type: "FieldValueForbidden", field: "spec", message: `Forbidden: a joined member's spec comes from its Secret ${secret} (set the display name there)` },
        ]);
      }
      // Our label keys carry our values; every other label and annotation is the user's to change.
      const labels = { ...obj.metadata.labels };
      for (const key of [MANAGER_LABEL, CLUSTERSET_LABEL]) {
        const ours = old.metadata.labels?.[key];
        if (ours === undefined) delete labels[key];
        else labels[key] = ours;
      }
      obj.metadata.labels = labels;
      const annotations = { ...obj.metadata.annotations };
      for (const key of Object.keys(old.metadata.annotations ?? {}).filter((k) => k.startsWith("clusterset.dev/"))) annotations[key] = old.metadata.annotations![key]!;
      obj.metadata.annotations = annotations;
    },
    checkDelete(obj: KubeObject) {
      const secret = joinedSecret(obj, members);
      if (secret) throw conflict(gr, obj.metadata.name ?? "", `delete Secret ${secret} to remove the member`);
    },
  });
}
