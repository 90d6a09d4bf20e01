/** Works: the target label is required and fixed for life (DESIGN.md "Works"). */
import type { KubeObject } from "../../storage/interface.js";
import type { StatusCause } from "../errors.js";
import { schemaStrategy, type SchemaValidator } from "../generic/schema-strategy.js";
import type { Strategy } from "../generic/strategy.js";
import { workClusterLabel } from "./columns.js";

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
  });
}
