/** ClusterProfile: the status subresource, managedFields around it, CEL and list-type checks. */
import { describe, expect, it } from "vitest";
import { AV, both, given, n, patch, post, profile, same, space, type Answer, type Json } from "../support/differential-sides.js";

export function clusterProfiles(): void {
  describe("ClusterProfile (status subresource, CEL)", () => {
    // Status writes are their own managedFields entry with `subresource: status`; status dropped from a create or
    // update is not recorded.
    const entries = (x: Answer) => (x.json.metadata.managedFields as Json[]).map((f) => `${f.manager} ${f.operation} ${f.subresource ?? "-"} ${Object.keys(f.fieldsV1).sort().join(",")}`);

    it("create ignores status: 201", async () => {
      const { CP } = await space("cp-create");
      const [a, b] = await both(CP, post(profile("cp1", { status: { version: { kubernetes: "v1.2.3" } } })));
      expect(a.status).toBe(201);
      expect(a.json.status).toBeUndefined();
      expect(entries(a)).toEqual(["unknown Update - f:spec"]);
      same(a, b);
    });

    it("a required field missing: 422 (and CEL rules not checked)", async () => {
      const { CP } = await space("cp-create");
      const [a, b] = await both(CP, post({ apiVersion: AV, kind: "ClusterProfile", metadata: { name: "cp2" } }));
      expect(a.status).toBe(422);
      same(a, b);
    });

    it("/status writes only status", async () => {
      const { CP } = await space("cp-status");
      await given(CP, profile("cp1"));
      const [a, b] = await both(`${CP}/cp1/status`, patch("merge", { status: { version: { kubernetes: "v9" } }, spec: { displayName: "changed" } }));
      expect(a.status).toBe(200);
      expect(a.json.spec.displayName).toBe("cp1");
      expect(entries(a)).toEqual(["unknown Update - f:spec", "unknown Update status f:status"]);
      same(a, b);
    });

    it("the main resource ignores status", async () => {
      const { CP } = await space("cp-main");
      await given(CP, profile("cp1"));
      await both(`${CP}/cp1/status`, patch("merge", { status: { version: { kubernetes: "v9" } } }));
      const [a, b] = await both(`${CP}/cp1`, patch("merge", { status: { version: { kubernetes: "vX" } }, metadata: { labels: { a: "b" } } }));
      expect(a.status).toBe(200);
      expect(a.json.status.version.kubernetes).toBe("v9");
      expect(entries(a)).toEqual(["unknown Update - f:metadata,f:spec", "unknown Update status f:status"]);
      same(a, b);
      const [ga, gb] = await both(`${CP}/cp1/status`);
      same(ga, gb);
    });

    it("CEL `self == oldSelf` on spec.clusterManager: 422 `ClusterManager is immutable`", async () => {
      const { CP } = await space("cp-cel");
      await given(CP, profile("cp1"));
      const [a, b] = await both(`${CP}/cp1`, patch("merge", { spec: { clusterManager: { name: "x" } } }));
      expect(n.answer(a).body).toEqual({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        reason: "Invalid",
        code: 422,
        message: 'ClusterProfile.multicluster.x-k8s.io "cp1" is invalid: spec.clusterManager: Invalid value: ClusterManager is immutable',
        details: { name: "cp1", group: "multicluster.x-k8s.io", kind: "ClusterProfile", causes: [{ reason: "FieldValueInvalid", field: "spec.clusterManager", message: 'Invalid value: ClusterManager is immutable' }] },
      });
      same(a, b);
    });

    it("x-kubernetes-list-type map with a duplicate key: 422 Duplicate value", async () => {
      const { CP } = await space("cp-list-type");
      await given(CP, profile("cp1"));
      const [a, b] = await both(`${CP}/cp1/status`, patch("merge", { status: { properties: [{ name: "a", value: "1" }, { name: "a", value: "2" }] } }));
      expect(a.status).toBe(422);
      expect(a.json.message).toBe('ClusterProfile.multicluster.x-k8s.io "cp1" is invalid: status.properties[1]: Duplicate value: {"name":"a"}');
      same(a, b);
    });
  });
}
