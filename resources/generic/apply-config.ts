/**
 * What kube-apiserver checks of an applied configuration before merging it, in its order and words:
 * a YAML object (400 `error decoding YAML`), of the served group/version/kind (versionCheckManager: 400
 * `invalid object type`), without managedFields (400), and typed against the schema: fields the schema does
 * not declare, list items without their keys and duplicate items fail the conversion to a typed value, which
 * upstream reports as a plain error (a 500 there, a 400 here: `failed to create typed patch object …`).
 */
import type { KubeObject } from "../../storage/interface.js";
import { badRequest, type StatusError } from "../errors.js";
import { fieldType, type FieldType } from "./field-types.js";
import { peString } from "./fieldpath.js";
import { isPlainObject } from "../../lib/objects.js";
import { listItemPE, shapeOf } from "./typed.js";

/** schema.GroupVersionKind.String() of what an object says it is. */
export function gvkString(apiVersion: unknown, kind: unknown): string {
  let group = "";
  let version = "";
  if (typeof apiVersion === "string" && apiVersion !== "") {
    const parts = apiVersion.split("/");
    if (parts.length === 1) version = parts[0]!;
    else if (parts.length === 2) [group, version] = parts as [string, string];
  }
  return `${group}/${version}, Kind=${typeof kind === "string" ? kind : ""}`;
}

const goTypeName = (v: unknown): string =>
  Array.isArray(v) ? "array" : v === null ? "null" : typeof v === "object" ? "object" : typeof v === "string" ? "string" : typeof v === "boolean" ? "bool" : "number";

/** What the configuration must say it is. */
export interface ApplyTargetKind {
  /** `multicluster.x-k8s.io/v1alpha1`. */
  apiVersion: string;
  kind: string;
}

/** The configuration, checked; throws the StatusError kube-apiserver answers with. */
export function checkApplyConfig(patch: unknown, target: ApplyTargetKind, type: FieldType): KubeObject {
  if (!isPlainObject(patch)) {
    if (patch === null || patch === undefined) throw badRequest(`invalid object type: ${gvkString(undefined, undefined)}`);
    throw badRequest(
      `error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${goTypeName(patch)} into Go value of type map[string]interface {}`,
    );
  }
  const gvk = gvkString(patch.apiVersion, patch.kind);
  if (gvk !== gvkString(target.apiVersion, target.kind)) throw badRequest(`invalid object type: ${gvk}`);
  const metadata = patch.metadata;
  if (metadata !== undefined && metadata !== null && !isPlainObject(metadata)) {
    throw badRequest(`error decoding YAML: json: cannot unmarshal ${goTypeName(metadata)} into Go struct field ObjectMeta.metadata of type v1.ObjectMeta`);
  }
  const meta = (metadata ?? {}) as Record<string, unknown>;
  if (meta.managedFields !== undefined && meta.managedFields !== null) throw badRequest("metadata.managedFields must be nil");

  const errors: string[] = [];
  typeErrors(patch, type, "", errors);
  if (errors.length > 0) {
    const ns = typeof meta.namespace === "string" ? meta.namespace : "";
    const name = typeof meta.name === "string" ? meta.name : "";
    const detail = errors.length === 1 ? errors[0]! : ["errors:", ...errors.map((e) => `  ${e}`)].join("\n");
    // kube-apiserver answers this with a 500 and the same words; it is the client's input that is wrong, so
    // we answer 400 BadRequest (kubectl shows the message either way).
    throw badRequest(`failed to create typed patch object (${ns}/${name}; ${gvk}): ${detail}`);
  }
  const config = structuredClone(patch) as KubeObject;
  if (metadata === null) delete (config as Record<string, unknown>).metadata;
  return config;
}

/** ObjectToTyped's complaints (SMD's ValidationError: `<path>: <message>`). */
function typeErrors(v: unknown, t: FieldType, path: string, out: string[]): void {
  const shape = shapeOf(t, v);
  if (shape === "object" && isPlainObject(v)) {
    for (const [k, c] of Object.entries(v)) {
      const ct = fieldType(t, k);
      if (!ct) out.push(`${path}.${k}: field not declared in schema`);
      else typeErrors(c, ct, `${path}.${k}`, out);
    }
  } else if (shape === "list" && t.kind === "list" && Array.isArray(v)) {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const { pe, problem } = listItemPE(t, item);
      if (!pe) {
        out.push(`${path}: element ${i}: ${problem}`);
        return;
      }
      const id = JSON.stringify(pe);
      if (seen.has(id)) out.push(`${path}: duplicate entries for key ${peString(pe)}`);
      seen.add(id);
      typeErrors(item, t.element, `${path}${peString(pe)}`, out);
    });
  }
}
