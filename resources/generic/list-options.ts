/**
 * ListOptions validation with kube-apiserver's wording (apimachinery/pkg/apis/meta/internalversion/validation):
 * what a list may combine (resourceVersion, resourceVersionMatch, limit, continue) and what it answers otherwise.
 */
import type { ListOptions } from "../../storage/interface.js";
import { badRequest, invalidOptions, type StatusCause, type StatusError } from "../errors.js";
import type { ListQuery } from "../rest.js";

function listOptionsInvalid(field: string, message: string): StatusError {
  return invalidOptions("ListOptions", { type: message.startsWith("Forbidden") ? "FieldValueForbidden" : "FieldValueNotSupported", message, field });
}

/**
 * A resourceVersion that is not a uint64: kube-apiserver's storage parses it with strconv.ParseUint and answers
 * 400 `invalid resource version: resourceVersion: Invalid value: "x": strconv.ParseUint: …` (lists and watches).
 */
export function checkResourceVersion(rv: string | undefined, prefix = "invalid resource version: "): void {
  if (rv === undefined || rv === "") return;
  const why = !/^\d+$/.test(rv) ? "invalid syntax" : BigInt(rv) > 18446744073709551615n ? "value out of range" : undefined;
  if (why) throw badRequest(`${prefix}resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: ${why}`);
}

/**
 * A watch's ListOptions as kube-apiserver validates them (validateWatchOptions): resourceVersionMatch only with
 * sendInitialEvents and only NotOlderThan; no continue token. An unparsable resourceVersion: kube-apiserver
 * answers a reason-less 500 with these words, here a 400.
 */
export function checkWatchOptions(q: ListQuery): void {
  checkResourceVersion(q.resourceVersion, "");
  const causes: Array<StatusCause & { field: string }> = [];
  const match = q.resourceVersionMatch;
  if (match) {
    if (q.sendInitialEvents === undefined) causes.push({ type: "FieldValueForbidden", field: "resourceVersionMatch", message: "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided" });
    if (match !== "NotOlderThan") causes.push({ type: "FieldValueNotSupported", field: "resourceVersionMatch", message: `Unsupported value: ${JSON.stringify(match)}: supported values: "NotOlderThan"` });
  }
  if (q.continue) causes.push({ type: "FieldValueForbidden", field: "resourceVersionMatch", message: "Forbidden: resourceVersionMatch is forbidden when continue is provided" });
  if (causes.length > 0) throw invalidOptions("ListOptions", ...causes);
}

export function listOptions(q: ListQuery): ListOptions {
  const rv = q.resourceVersion;
  const match = q.resourceVersionMatch;
  checkResourceVersion(rv);
  if (match !== undefined && match !== "") {
    if (match !== "Exact" && match !== "NotOlderThan") {
      throw listOptionsInvalid("resourceVersionMatch", `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan", ""`);
    }
    if (!rv) throw listOptionsInvalid("resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided");
    if (q.continue) throw listOptionsInvalid("resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden when continue is provided");
    if (match === "Exact" && rv === "0") throw listOptionsInvalid("resourceVersionMatch", 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  }
  if (q.continue && rv && rv !== "0") throw badRequest("specifying resource version is not allowed when using continue");
  if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 0)) throw badRequest(`invalid limit: ${q.limit}`);
  const opts: ListOptions = {};
  if (rv !== undefined) opts.resourceVersion = rv;
  if (match) opts.resourceVersionMatch = match as "Exact" | "NotOlderThan";
  // resourceVersion=0 without a match is served whole from memory, as kube-apiserver's watch cache ignores limit.
  if (q.limit && !(rv === "0" && !match)) opts.limit = q.limit;
  if (q.continue) opts.continue = q.continue;
  return opts;
}
