/**
 * JSON patch (RFC 6902, via fast-json-patch) and JSON merge patch (RFC 7386). Strategic merge is refused with
 * 415 by the HTTP layer, as kube-apiserver refuses it for custom resources.
 */
import fastJsonPatch from "fast-json-patch";
import { badRequest, requestEntityTooLarge, StatusError } from "../errors.js";
import { isPlainObject } from "../../lib/objects.js";

const { applyPatch, validate } = fastJsonPatch;
/** kube-apiserver refuses JSON patches with more operations than this. */
export const maxJSONPatchOperations = 10_000;

export function applyJSONPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  if (patch.length > maxJSONPatchOperations) {
    throw requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${patch.length}`);
  }
  // Moving a value into its own child (RFC 6902 4.4 forbids it): fast-json-patch would throw a TypeError.
  for (const op of patch) {
    if (isPlainObject(op) && op.op === "move" && typeof op.from === "string" && typeof op.path === "string" && op.path.startsWith(`${op.from}/`)) throw jsonPatchError(op);
  }
  let error: unknown;
  try {
    error = validate(patch as fastJsonPatch.Operation[], doc);
  } catch (e) {
    error = e;
  }
  if (error) throw jsonPatchError(error);
  try {
    return applyPatch(structuredClone(doc), patch as fastJsonPatch.Operation[], false, false).newDocument;
  } catch (e) {
    throw jsonPatchError(e);
  }
}

/** kube-apiserver answers every JSON patch that fails to apply (a failed "test" included) with these words. */
function jsonPatchError(_e: unknown): StatusError {
  return new StatusError(422, "Invalid", "the server rejected our request due to an error in our request", {});
}

/** A merge patch must decode into a JSON object (null reads as an empty one), as Go's json.Unmarshal into a map. */
export function checkMergePatch(patch: unknown): void {
  if (patch === null || isPlainObject(patch)) return;
  const type = Array.isArray(patch) ? "array" : typeof patch === "boolean" ? "bool" : typeof patch;
  throw badRequest(`error decoding patch: json: cannot unmarshal ${type} into Go value of type map[string]interface {}`);
}

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
