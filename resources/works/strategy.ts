/**
 * Works: the target label is required and fixed for life, status is computed from the member by the
 * dispatcher, never written by users, and every new Work carries the cleanup finalizer (../../docs/design.md "Works").
 */
import { isDeepStrictEqual } from "node:util";
import { GROUP } from "../../api/group.js";
import type { KubeObject } from "../../storage/interface.js";
import { invalid, type StatusCause } from "../errors.js";
import { schemaStrategy, type SchemaValidator } from "../generic/schema-strategy.js";
import type { Strategy } from "../generic/strategy.js";
import { WORK_FINALIZER, workClusterLabel } from "../../api/works/manifests.js";

export const computedStatusMessage = "computed by clusterset-apiserver";

export function workStrategy(validateSchema: SchemaValidator): Strategy {
  return schemaStrategy(validateSchema, true, {
    validate(obj: KubeObject, _ctx, old?: KubeObject): StatusCause[] {
      const field = `metadata.labels[${workClusterLabel}]`;
      const target = obj.metadata.labels?.[workClusterLabel];
      if (!target) return [{ type: "FieldValueRequired", field, message: `Required value: a Work names its target cluster in label ${workClusterLabel}` }];
      const before = old?.metadata.labels?.[workClusterLabel];
      if (old && before !== target) return [{ type: "FieldValueInvalid", field, message: `Invalid value: ${JSON.stringify(target)}: field is immutable` }];
      return [];
    },
    prepareForCreate(obj: KubeObject) {
      // The dispatcher removes what a Work applied before the Work goes; the finalizer holds it until then.
      const finalizers = obj.metadata.finalizers ?? [];
      if (!finalizers.includes(WORK_FINALIZER)) obj.metadata.finalizers = [...finalizers, WORK_FINALIZER];
    },
    prepareForUpdate(obj: KubeObject, old: KubeObject, _ctx, subresource?: string) {
      if (subresource === "status" && !isDeepStrictEqual(obj.status, old.status)) {
        throw invalid(GROUP, "Work", old.metadata.name ?? "", [{ type: "FieldValueForbidden", field: "status", message: `Forbidden: ${computedStatusMessage}` }]);
      }
    },
  });
}
