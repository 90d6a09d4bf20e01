/**
 * The strategy every resource starts from: validation against its upstream schema, unknown fields dropped (and
 * warned about, or refused with fieldValidation=Strict), as kube-apiserver treats custom resources.
 */
import type { KubeObject } from "../../storage/interface.js";
import { badRequest, type RequestContext, type StatusCause } from "../rest.js";
import type { Strategy } from "./strategy.js";

/**
 * What schema validation reports: field causes (422), the unknown fields it pruned from the object, and
 * warnings to send whatever fieldValidation says (CEL rule errors ratcheted away on update).
 */
export interface SchemaResult {
  causes: StatusCause[];
  unknownFields: string[];
  warnings?: string[];
}

export type SchemaValidator = (obj: KubeObject, old?: KubeObject) => SchemaResult;

export function schemaStrategy(validateSchema: SchemaValidator, statusSubresource: boolean, extra?: Partial<Strategy>): Strategy {
  return {
    statusSubresource,
    ...extra,
    validate(obj: KubeObject, ctx: RequestContext, old?: KubeObject): StatusCause[] {
      const result = validateSchema(obj, old);
      if (result.unknownFields.length > 0) {
        if (ctx.fieldValidation === "Strict") {
          throw badRequest(`strict decoding error: ${result.unknownFields.map((f) => `unknown field "${f}"`).join(", ")}`);
        }
        if (ctx.fieldValidation === "Warn") for (const f of result.unknownFields) ctx.warnings.push(`unknown field "${f}"`);
      }
      ctx.warnings.push(...(result.warnings ?? []));
      return [...result.causes, ...(extra?.validate?.(obj, ctx, old) ?? [])];
    },
  };
}
