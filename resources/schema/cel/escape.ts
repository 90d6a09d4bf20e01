/**
 * How a property name is spelled in CEL (k8s.io/apiserver/pkg/cel escaping.go): CEL keywords become
 * `__kw__`, and `__`, `.`, `-`, `/` become `__underscores__`, `__dot__`, `__dash__`, `__slash__`. A name with
 * any other character cannot be spelled, and kube leaves that property out of `self`.
 */

const RESERVED = new Set(["true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"]);

export function escapeProperty(name: string): string | undefined {
  if (RESERVED.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name)) return undefined;
  return name.replace(/__|[.\-/]/g, (m) => ({ __: "__underscores__", ".": "__dot__", "-": "__dash__", "/": "__slash__" })[m]!);
}
