/**
 * Field paths as k8s.io/apimachinery's field.Path prints them: `spec.items[0].name`, map keys as `labels[key]`.
 * The root is the empty string.
 */

export function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/**
 * Turns a JSON Pointer (as ajv reports `instancePath`) into a field path, walking `data` to tell array indices
 * from object keys that happen to be numeric. Object members join with a dot even when they are map entries:
 * that is how kube-openapi names them in schema errors (`spec.labels.foo in body must be of type string`).
 */
export function pointerToFieldPath(pointer: string, data: unknown): string {
  if (pointer === "") return "";
  let path = "";
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur)) {
      const i = Number(seg);
      path = index(path, i);
      cur = cur[i];
    } else {
      path = child(path, seg);
      cur = typeof cur === "object" && cur !== null ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return path;
}
