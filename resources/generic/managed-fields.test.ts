import { describe, expect, it } from "vitest";
import { StatusError } from "../errors.js";
import { decodeLiveOrNew, decodeManagedFields, encodeManagedFields, isReset, managerId, printManager, type ManagedFieldsEntry } from "./managed-fields.js";
import { checkPatchOptions, managerName } from "./write-options.js";

const GV = "multicluster.x-k8s.io/v1alpha1";
const entry = (e: Partial<ManagedFieldsEntry>): ManagedFieldsEntry => ({ operation: "Update", apiVersion: GV, fieldsType: "FieldsV1", fieldsV1: { "f:spec": {} }, ...e });

describe("managedFields entries", () => {
  it("identify appliers without apiVersion and updaters with it, subresource included", () => {
    expect(managerId({ manager: "a", operation: "Apply", apiVersion: GV })).toBe('{"manager":"a","operation":"Apply"}');
    expect(managerId({ manager: "u", operation: "Update", apiVersion: GV, subresource: "status" })).toBe(`{"manager":"u","operation":"Update","apiVersion":"${GV}","subresource":"status"}`);
    expect(printManager({ manager: "u", operation: "Update", apiVersion: GV })).toBe(`"u" using ${GV}`);
    expect(printManager({ manager: "a", operation: "Apply", apiVersion: GV })).toBe('"a"');
  });

  it("decode only what kube-apiserver decodes", () => {
    expect(() => decodeManagedFields([entry({ operation: "Patch" as "Update" })])).toThrow("operation must be `Apply` or `Update`");
    expect(() => decodeManagedFields([entry({ apiVersion: "" })])).toThrow("apiVersion must not be empty");
    expect(() => decodeManagedFields([{ ...entry({}), fieldsType: undefined }])).toThrow("missing fieldsType in managed fields entry 0");
    expect(() => decodeManagedFields([entry({ fieldsType: "FieldsV2" as "FieldsV1" })])).toThrow('invalid fieldsType "FieldsV2" in managed fields entry 0');
    expect(() => decodeManagedFields([entry({ fieldsV1: { "k:{bad": {} } })])).toThrow();
    expect(decodeManagedFields([entry({ manager: "m" })]).size).toBe(1);
  });

  it("tell a reset from a client that does not know managedFields", () => {
    expect(isReset([])).toBe(true);
    expect(isReset([{}])).toBe(true);
    expect(isReset(undefined)).toBe(false);
    expect(isReset([{ manager: "x" }])).toBe(false);
    const live = [entry({ manager: "live" })];
    expect([...decodeLiveOrNew(live, undefined, false).values()].map((o) => o.info.manager)).toEqual(["live"]);
    expect(decodeLiveOrNew(live, [], false).size).toBe(0);
    expect([...decodeLiveOrNew(live, [entry({ manager: "mine" })], true).values()].map((o) => o.info.manager)).toEqual(["live"]);
  });

  it("encode Apply before Update, then by time, manager, apiVersion and subresource", () => {
    const managed = decodeManagedFields([
      entry({ manager: "b", time: "2024-01-01T00:00:02Z" }),
      entry({ manager: "z", time: "2024-01-01T00:00:01Z" }),
      entry({ manager: "a", time: "2024-01-01T00:00:02Z" }),
      entry({ manager: "s", operation: "Apply", time: "2024-01-01T00:00:09Z" }),
    ]);
    expect(encodeManagedFields(managed).map((e) => e.manager)).toEqual(["s", "z", "a", "b"]);
  });
});

describe("write options", () => {
  it("name the manager after the User-Agent's first segment, printable, at most 128 bytes", () => {
    expect(managerName({ userAgent: "kubectl-client-side-apply/v1.30.2 (linux/amd64) kubernetes/abc" })).toBe("kubectl-client-side-apply");
    expect(managerName({ userAgent: "kubectl/v1.30", fieldManager: "explicit" })).toBe("explicit");
    expect(managerName({ userAgent: "a\u0007b/1" })).toBe("ab");
    expect(managerName({ userAgent: "x".repeat(200) })).toHaveLength(128);
    expect(managerName({})).toBe("");
  });

  it("refuse a non-printable fieldManager and force outside apply", () => {
    let err: unknown;
    try {
      checkPatchOptions("merge", { fieldManager: "a\u0007" }, true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).status.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: [force: Forbidden: may not be specified for non-apply patch, fieldManager: Invalid value: "a\\a": invalid character U+0007 (at position 1)]',
    );
    expect(() => checkPatchOptions("apply", { fieldManager: "kubectl" }, false)).not.toThrow();
  });
});
