/**
 * Server-side apply through the registry (PATCH application/apply-patch+yaml), as kube-apiserver's patcher runs
 * it (endpoints/handlers/patch.go, applyPatcher): the configuration is applied to the stored object inside the
 * registry's update loop; if there is no object, apply creates one from the configuration alone (201), except
 * through /status, which cannot create.
 */
import type { KubeObject } from "../../storage/interface.js";
import type { ResourceDescriptor } from "../descriptor.js";
import { badRequest, conflict, isStatusError } from "../errors.js";
import type { RequestContext } from "../rest.js";
import { checkApplyConfig } from "./apply-config.js";
import { checkNamespace } from "./body.js";
import { applyConflictError } from "./conflicts.js";
import { ApplyConflicts, type FieldManager } from "./field-manager.js";
import { rootType } from "./field-types.js";

/** The registry's parts apply uses. */
export interface ApplyTarget {
  readonly descriptor: ResourceDescriptor;
  readonly fields: FieldManager;
  write(ctx: RequestContext, name: string, next: (current: KubeObject) => KubeObject, subresource: string | undefined, tracking: "done"): Promise<KubeObject>;
  insert(ctx: RequestContext, obj: KubeObject, tracking: "done"): Promise<KubeObject>;
}

const isReason = (e: unknown, code: number, reason: string): boolean => isStatusError(e) && e.code === code && e.status.reason === reason;

export async function applyPatch(
  r: ApplyTarget,
  ctx: RequestContext,
  name: string,
  patch: unknown,
  subresource: string | undefined,
  force: boolean,
): Promise<{ object: KubeObject; created: boolean }> {
  const d = r.descriptor;
  const config = checkApplyConfig(patch, { apiVersion: `${d.group}/${d.version}`, kind: d.kind }, rootType(d.schema));
  // checkPatchOptions has made sure there is one.
  const manager = ctx.fieldManager!;
  const gr = { group: d.group, resource: d.plural };

  const applied = (current: KubeObject | undefined): KubeObject => {
    // A resourceVersion in the configuration is a precondition, as in any update.
    const rv = config.metadata?.resourceVersion;
    if (current && rv && rv !== current.metadata.resourceVersion) throw conflict(gr, name);
    let obj: KubeObject;
    try {
      obj = r.fields.apply(current, config, manager, force, subresource);
    } catch (e) {
      throw e instanceof ApplyConflicts ? applyConflictError(e.conflicts) : e;
    }
    // checkName and EnsureObjectNamespaceMatchesRequestNamespace, on the merged object.
    const objName = obj.metadata.name ?? "";
    if (objName === "") throw badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
    if (objName !== name) throw badRequest(`the name of the object (${objName}) does not match the name on the URL (${name})`);
    checkNamespace(obj, ctx.namespace);
    return obj;
  };

  // Two rounds at most: an object created (or deleted) between our read and our write sends us to the other path.
  for (let attempt = 0; ; attempt++) {
    try {
      return { object: await r.write(ctx, name, applied, subresource, "done"), created: false };
    } catch (e) {
      if (!isReason(e, 404, "NotFound") || subresource !== undefined || attempt > 0) throw e;
    }
    const uid = config.metadata?.uid;
    if (typeof uid === "string" && uid !== "") {
      throw conflict(gr, name, `uid mismatch: the provided object specified uid ${uid}, and no existing object was found`);
    }
    const obj = applied(undefined);
    // A create through update storage ignores the resourceVersion the configuration may carry.
    delete obj.metadata.resourceVersion;
    try {
      return { object: await r.insert(ctx, obj, "done"), created: true };
    } catch (e) {
      if (!isReason(e, 409, "AlreadyExists")) throw e;
    }
  }
}
