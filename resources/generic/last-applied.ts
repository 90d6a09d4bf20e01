/**
 * The bridge from kubectl's client-side apply to server-side apply, for the manager "kubectl" only
 * (k8s.io/apimachinery/pkg/util/managedfields/internal/lastappliedmanager.go and lastappliedupdater.go):
 *
 *   - conflicts on fields that the kubectl.kubernetes.io/last-applied-configuration annotation lists, with the
 *     live value still the one it records, are not conflicts: client-side apply set them, and the user now
 *     applies them server-side;
 *   - after such an apply, an existing annotation is rewritten to the new configuration, so that going back to
 *     client-side apply sees what was applied last.
 */
import type { KubeObject } from "../../storage/interface.js";
import { checkApplyConfig, type ApplyTargetKind } from "./apply-config.js";
import type { FieldType } from "./field-types.js";
import type { FieldSet } from "./fieldset.js";
import { goJSON } from "./fieldpath.js";
import { isPlainObject } from "../../lib/objects.js";
import { compare, toFieldSet } from "./typed.js";

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
/** The manager whose applies take over client-side apply's fields. */
export const KUBECTL = "kubectl";
/** ValidateAnnotationsSize's limit: past it the annotation is dropped rather than the write refused. */
const totalAnnotationSizeLimit = 256 * 1024;

const lastAppliedOf = (obj: KubeObject | undefined): string | undefined => {
  const v = obj?.metadata.annotations?.[LAST_APPLIED];
  return typeof v === "string" && v !== "" ? v : undefined;
};

/**
 * allowedConflictsFromLastApplied: the fields the annotation sets whose live value is still the recorded one.
 * Undefined when there is no usable annotation.
 */
export function allowedConflicts(live: KubeObject | undefined, bareLive: KubeObject, target: ApplyTargetKind, type: FieldType): FieldSet | undefined {
  const text = lastAppliedOf(live);
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(parsed)) return undefined;
  let lastApplied: KubeObject;
  try {
    // The annotation must type like an applied configuration would (upstream converts it the same way).
    lastApplied = checkApplyConfig(parsed, target, type);
  } catch {
    return undefined;
  }
  const c = compare(lastApplied, bareLive, type);
  return toFieldSet(lastApplied, type).difference(c.modified).difference(c.added).difference(c.removed);
}

/** lastAppliedUpdater: rewrites an existing annotation on the result to the configuration just applied. */
export function syncLastApplied(result: KubeObject, config: KubeObject): void {
  if (!lastAppliedOf(result)) return;
  const copy = structuredClone(config);
  // The configuration's own copy of the annotation is not part of what it records (an emptied map stays).
  if (copy.metadata?.annotations) Reflect.deleteProperty(copy.metadata.annotations, LAST_APPLIED);
  // runtime.Encode with the unstructured JSON scheme: Go's encoding/json (sorted keys) and a final newline.
  const value = `${goJSON(copy)}\n`;
  const all: Record<string, string> = { ...result.metadata.annotations, [LAST_APPLIED]: value };
  const size = Object.entries(all).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (size > totalAnnotationSizeLimit) delete all[LAST_APPLIED];
  result.metadata.annotations = all;
}
