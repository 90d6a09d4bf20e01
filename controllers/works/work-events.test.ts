import { describe, expect, it } from "vitest";
import { driftKey, emptyTold, workEvents } from "./work-events.js";
import type { ManifestResult } from "../../api/works/status.js";

const id = (name: string) => ({ ordinal: 0, group: "", version: "v1", kind: "ConfigMap", resource: "configmaps", namespace: "app", name });
const ok = (name: string): ManifestResult => ({ identifier: id(name), label: `ConfigMap ${name}`, applied: { ok: true, live: {} } }) as unknown as ManifestResult;
const refused = (name: string, message: string): ManifestResult => ({ identifier: id(name), label: `ConfigMap ${name}`, applied: { ok: false, reason: "Refused", message, refused: true } }) as unknown as ManifestResult;

describe("workEvents", () => {
  it("says Applied once, when every manifest is applied, and again after a failure", () => {
    const told = emptyTold();
    const pass = { manifests: [ok("a"), ok("b")], applied: [] };
    expect(workEvents("east", pass, told)).toEqual([{ type: "Normal", reason: "Applied", note: "all 2 manifest(s) applied to east" }]);
    expect(workEvents("east", pass, told)).toEqual([]);
    expect(workEvents("east", { manifests: [ok("a"), refused("b", "quota exceeded")], applied: [] }, told)).toEqual([
      { type: "Warning", reason: "ManifestRefused", note: "east refused ConfigMap b: quota exceeded" },
    ]);
    // The same refusal again is not news; another message is.
    expect(workEvents("east", { manifests: [refused("b", "quota exceeded")], applied: [] }, told)).toEqual([]);
    expect(workEvents("east", { manifests: [refused("b", "forbidden")], applied: [] }, told)).toHaveLength(1);
    expect(workEvents("east", pass, told).map((e) => e.reason)).toEqual(["Applied"]);
  });

  it("says DriftReverted for an applied object someone else changed since the last pass", () => {
    const told = emptyTold();
    workEvents("east", { manifests: [ok("a")], applied: [{ id: id("a"), resourceVersion: "5" }] }, told);
    told.drifted.add(driftKey({ apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "app", name: "a" } }));
    expect(workEvents("east", { manifests: [ok("a")], applied: [{ id: id("a"), resourceVersion: "7" }] }, told)).toEqual([
      { type: "Normal", reason: "DriftReverted", note: "ConfigMap app/a was changed on east by someone else; applied again" },
    ]);
    expect(told.drifted.size).toBe(0);
  });

  it("keys drift by group, kind, namespace and name", () => {
    expect(driftKey({ apiVersion: "apps/v1", kind: "Deployment", metadata: { namespace: "app", name: "web" } })).toBe(driftKey({ apiVersion: "apps/v2", kind: "Deployment", metadata: { namespace: "app", name: "web" } }));
    expect(driftKey({ apiVersion: "v1", kind: "Namespace", metadata: { name: "app" } })).not.toBe(driftKey({ apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } }));
  });
});
