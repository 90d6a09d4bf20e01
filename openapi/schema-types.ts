/**
 * A schema as both documents write it. Swagger 2.0 and OpenAPI 3.0 schema objects share these keywords; the
 * version-specific ones (v2 `x-nullable`, v3 `nullable`, `allOf` around references) are set by v2.ts/v3.ts.
 * Extensions (`x-kubernetes-…`) are open-ended.
 */
export interface Schema {
  $ref?: string;
  description?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  nullable?: boolean;
  [keyword: string]: unknown;
}

/** A group-version-kind as the x-kubernetes-group-version-kind extension writes it. */
export interface GVK {
  group: string;
  kind: string;
  version: string;
}
