/**
 * A rule's `fieldPath` (`.spec.foo`, `.labels['a.b']`) checked against the schema and written as a field path,
 * as kube's ValidFieldPath does when the CRD is written: a property is a child (`foo`), an additionalProperties
 * key is a key (`labels[a.b]`). Throws with kube's wording when the path does not fit the schema.
 */
import { child, key } from "../field-path.js";
import type { JSONSchemaProps } from "../types.js";

export function normalizeRuleFieldPath(jsonPath: string, schema: JSONSchemaProps): string {
  const tokens = jsonPath.match(/'(?:\\.|[^'\\])*'|[.[\]]|[^.[\]']+/g) ?? [];
  let path = "";
  let s: JSONSchemaProps | undefined = schema;
  const append = (name: string): void => {
    if (s?.properties) {
      path = child(path, name);
      s = s.properties[name];
      if (!s) throw new Error("does not refer to a valid field");
    } else if (typeof s?.additionalProperties === "object") {
      path = key(path, name);
      s = s.additionalProperties;
    } else throw new Error("does not refer to a valid field");
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === ".") {
      const name = tokens[++i];
      if (name === undefined) throw new Error("unexpected end of JSON path");
      append(name);
    } else if (t === "[") {
      const quoted = tokens[++i];
      if (quoted === undefined) throw new Error("unexpected end of JSON path");
      if (quoted.length < 2 || !quoted.startsWith("'") || !quoted.endsWith("'")) throw new Error(`expected single quoted string but got ${quoted}`);
      append(unquote(quoted.slice(1, -1)));
      const close = tokens[++i];
      if (close === undefined) throw new Error("unexpected end of JSON path");
      if (close !== "]") throw new Error(`expected ] but got ${close}`);
    } else throw new Error(`expected [ or . but got: ${t}`);
  }
  return path;
}

const ESCAPES: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "'": "'", "\\": "\\" };

function unquote(s: string): string {
  return s.replace(/\\(.)/g, (m, c: string) => {
    const r = ESCAPES[c];
    if (r === undefined) throw new Error(`invalid string literal: invalid escape char ${m}`);
    return r;
  });
}
