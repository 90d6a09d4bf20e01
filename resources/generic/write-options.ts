/**
 * The write options field management depends on, checked and worded as kube-apiserver does
 * (k8s.io/apimachinery/pkg/apis/meta/v1/validation: ValidateCreateOptions, ValidateUpdateOptions,
 * ValidatePatchOptions; endpoints/handlers/rest.go: managerOrUserAgent).
 */
import { invalid as invalidStatus, type StatusError } from "../errors.js";
import { forbidden, invalid, required, tooLongBytes, type FieldCause } from "../schema/field-errors.js";
import type { PatchType, RequestContext } from "../rest.js";

export const fieldManagerMaxLength = 128;
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/**
 * The manager a write is recorded under: the fieldManager parameter, else the User-Agent up to its first "/"
 * (`kubectl-edit/v1.30.0 (linux/amd64) kubernetes/abc` → `kubectl-edit`), printable characters only, at most
 * 128 bytes.
 */
export function managerName(ctx: Pick<RequestContext, "fieldManager" | "userAgent">): string {
  if (ctx.fieldManager) return ctx.fieldManager;
  let out = "";
  for (const ch of (ctx.userAgent ?? "").split("/")[0]!) {
    if (!printable.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > fieldManagerMaxLength) break;
    out += ch;
  }
  return out;
}

/** ValidateFieldManager: at most 128 bytes, printable characters only. */
function fieldManagerCauses(fm: string | undefined): FieldCause[] {
  if (!fm) return [];
  const causes: FieldCause[] = [];
  if (Buffer.byteLength(fm) > fieldManagerMaxLength) causes.push(tooLongBytes("fieldManager", fieldManagerMaxLength));
  let position = 0;
  for (const ch of fm) {
    if (!printable.test(ch)) {
      const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
      causes.push(invalid("fieldManager", fm, `invalid character U+${code} (at position ${position})`));
    }
    position += Buffer.byteLength(ch);
  }
  return causes;
}

/** 422 for options that do not validate: `CreateOptions.meta.k8s.io "" is invalid: …`. */
function optionsError(kind: string, causes: FieldCause[]): StatusError | undefined {
  if (causes.length === 0) return undefined;
  const err = invalidStatus("meta.k8s.io", kind, "", causes);
  // The options have no name: upstream's details leave it out.
  delete err.status.details?.name;
  return err;
}

export function checkWriteOptions(kind: "CreateOptions" | "UpdateOptions", ctx: Pick<RequestContext, "fieldManager">): void {
  const err = optionsError(kind, fieldManagerCauses(ctx.fieldManager));
  if (err) throw err;
}

/** Apply needs a fieldManager; force is for apply alone (any value of it, even false, elsewhere). */
export function checkPatchOptions(type: PatchType, ctx: Pick<RequestContext, "fieldManager">, force: boolean | undefined): void {
  const causes: FieldCause[] = [];
  if (type !== "apply") {
    if (force !== undefined) causes.push(forbidden("force", "may not be specified for non-apply patch"));
  } else if (!ctx.fieldManager) {
    // kubectl defaults it to "kubectl"; controllers have to set it.
    causes.push(required("fieldManager", "is required for apply patch"));
  }
  const err = optionsError("PatchOptions", [...causes, ...fieldManagerCauses(ctx.fieldManager)]);
  if (err) throw err;
}
