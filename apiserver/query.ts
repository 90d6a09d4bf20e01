/**
 * Query parameters → typed options, with kube-apiserver's answers for values that do not parse. Unknown
 * parameters are ignored, as kube-apiserver ignores them.
 */
import { badRequest, invalidOptions, type DeleteOptions, type ListQuery } from "../resources/rest.js";

function int(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  // kube-apiserver's query conversion answers with strconv's error alone.
  if (!/^[+-]?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const big = BigInt(v);
  if (big > 9223372036854775807n || big < -9223372036854775808n) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return Number(v);
}

function bool(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(v)) return false;
  throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

export function listQuery(q: URLSearchParams): ListQuery {
  const out: ListQuery = {};
  const str = (name: keyof ListQuery & string) => {
    const v = q.get(name);
    if (v !== null) (out as Record<string, unknown>)[name] = v;
  };
  str("labelSelector");
  str("fieldSelector");
  str("continue");
  str("resourceVersion");
  str("resourceVersionMatch");
  const limit = int(q, "limit");
  if (limit !== undefined) out.limit = limit < 0 ? 0 : limit;
  const timeoutSeconds = int(q, "timeoutSeconds");
  if (timeoutSeconds !== undefined) out.timeoutSeconds = timeoutSeconds;
  const bookmarks = bool(q, "allowWatchBookmarks");
  if (bookmarks !== undefined) out.allowWatchBookmarks = bookmarks;
  const initial = bool(q, "sendInitialEvents");
  if (initial !== undefined) out.sendInitialEvents = initial;
  return out;
}

/** dryRun=All, or nothing; anything else is 422 on the verb's options kind (CreateOptions, …), as kube-apiserver. */
export function dryRun(q: URLSearchParams, optionsKind: string): boolean {
  const values = q.getAll("dryRun");
  const bad = values.filter((v) => v !== "All");
  if (bad.length > 0) {
    // Newer apimachinery (field.Error, ≥ 1.3x) prints a slice as JSON: `["Bogus"]`.
    const message = `Unsupported value: ${JSON.stringify(values)}: supported values: "All"`;
    throw invalidOptions(optionsKind, { type: "FieldValueNotSupported", message, field: "dryRun" });
  }
  return values.length > 0;
}

/**
 * fieldValidation of a create, update or patch (`optionsKind` CreateOptions, …): anything but Ignore, Warn, Strict
 * or "" is 422 on the options kind, as kube-apiserver ≥ 1.2x validates it; other verbs ignore the parameter.
 */
export function fieldValidation(q: URLSearchParams, optionsKind?: string): "Strict" | "Warn" | "Ignore" {
  const v = q.get("fieldValidation");
  if (v === null || v === "" || optionsKind === undefined) return "Warn";
  if (v === "Strict" || v === "Warn" || v === "Ignore") return v;
  const message = `Unsupported value: ${JSON.stringify(v)}: supported values: "", "Ignore", "Strict", "Warn"`;
  throw invalidOptions(optionsKind, { type: "FieldValueNotSupported", message, field: "fieldValidation" });
}

/** DeleteOptions from the body (v1 or meta.k8s.io/v1) and the query, the query winning as in kube-apiserver. */
export function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
  const out: DeleteOptions = {};
  if (body !== undefined && body !== null) {
    if (typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of a delete request must be a DeleteOptions object");
    const b = body as Record<string, unknown>;
    if (b.kind !== undefined && b.kind !== "DeleteOptions") throw badRequest(`expected DeleteOptions, got ${String(b.kind)}`);
    if (b.preconditions && typeof b.preconditions === "object") out.preconditions = b.preconditions as DeleteOptions["preconditions"];
    if (typeof b.propagationPolicy === "string") out.propagationPolicy = b.propagationPolicy as DeleteOptions["propagationPolicy"];
    if (b.orphanDependents === true) out.propagationPolicy = "Orphan";
    if (typeof b.gracePeriodSeconds === "number") out.gracePeriodSeconds = b.gracePeriodSeconds;
  }
  const policy = q.get("propagationPolicy");
  if (policy) out.propagationPolicy = policy as DeleteOptions["propagationPolicy"];
  if (out.propagationPolicy && !["Orphan", "Background", "Foreground"].includes(out.propagationPolicy)) {
    const message = `Unsupported value: "${out.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`;
    throw invalidOptions("DeleteOptions", { type: "FieldValueNotSupported", message, field: "propagationPolicy" });
  }
  const grace = int(q, "gracePeriodSeconds");
  if (grace !== undefined) out.gracePeriodSeconds = grace;
  return out;
}
