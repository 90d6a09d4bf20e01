/**
 * ListOptions validation with kube-apiserver's wording (apimachinery/pkg/apis/meta/internalversion/validation):
 * what a list may combine (resourceVersion, resourceVersionMatch, limit, continue) and what it answers otherwise.
 */
import type { ListOptions } from "../../storage/interface.js";
import { badRequest, invalidOptions, type StatusError } from "../errors.js";
import type { ListQuery } from "../rest.js";

function listOptionsInvalid(field: string, message: string): StatusError {
  return invalidOptions("ListOptions", { type: message.startsWith("Forbidden") ? "FieldValueForbidden" : "FieldValueNotSupported", message, field });
}

export function listOptions(q: ListQuery): ListOptions {
  const rv = q.resourceVersion;
  const match = q.resourceVersionMatch;
  if (rv !== undefined && rv !== "" && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
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
