/** Checks a request body's identity (apiVersion, kind, name, namespace) the way kube-apiserver's decoder does. */
import type { KubeObject } from "../../storage/interface.js";
import type { ResourceDescriptor } from "../descriptor.js";
import { badRequest, invalid } from "../errors.js";
import { isPlainObject } from "../../lib/objects.js";

export function decodeBody(body: unknown, d: ResourceDescriptor, kind = d.kind): KubeObject {
  if (!isPlainObject(body)) throw badRequest("the body of the request must be a JSON object");
  const gv = `${d.group}/${d.version}`;
  if (typeof body.kind !== "string" || body.kind === "") {
    throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
  }
  if (typeof body.apiVersion !== "string" || body.apiVersion === "") {
    throw badRequest(`Object 'apiVersion' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
  }
  if (body.apiVersion !== gv) {
    throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${gv})`);
  }
  if (body.kind !== kind) {
    const name = isPlainObject(body.metadata) && typeof body.metadata.name === "string" ? body.metadata.name : "";
    throw invalid(d.group, body.kind, name, [{ type: "FieldValueInvalid", field: "kind", message: `Invalid value: ${JSON.stringify(body.kind)}: must be ${kind}` }]);
  }
  if (body.metadata !== undefined && !isPlainObject(body.metadata)) {
    throw badRequest(`json: cannot unmarshal ${Array.isArray(body.metadata) ? "array" : typeof body.metadata} into Go struct field ObjectMeta.metadata of type v1.ObjectMeta`);
  }
  const obj = structuredClone(body) as KubeObject;
  obj.metadata ??= {};
  return obj;
}

/** The body's namespace must be empty or the URL's; empty becomes the URL's. */
export function checkNamespace(obj: KubeObject, namespace: string): void {
  const ns = obj.metadata.namespace;
  if (ns !== undefined && ns !== "" && ns !== namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  obj.metadata.namespace = namespace;
}
