/** PATCH: JSON patch, merge patch, the refused patch types and options. */
import { describe, expect, it } from "vitest";
import { both, given, patch, pd, same, space } from "../support/differential-sides.js";

export function patches(): void {
  describe("patch", () => {
    it("merge patch: 200", async () => {
      const { PD } = await space("patch");
      await given(PD, pd("merged", { labels: { tier: "gold" } }));
      const [a, b] = await both(`${PD}/merged`, patch("merge", { metadata: { labels: { m: "1" } }, schedulerName: "sched-c" }));
      expect(a.status).toBe(200);
      same(a, b);
    });

    it("JSON patch: 200", async () => {
      const { PD } = await space("patch");
      await given(PD, pd("jsoned"));
      const [a, b] = await both(`${PD}/jsoned`, patch("json", [{ op: "replace", path: "/schedulerName", value: "sched-d" }, { op: "add", path: "/decisions/-", value: { clusterProfileRef: { name: "m2" } } }]));
      expect(a.status).toBe(200);
      same(a, b);
    });

    it("JSON patch with a failing `test` operation: 422 Invalid", async () => {
      const { PD } = await space("patch");
      await given(PD, pd("tested"));
      const [a, b] = await both(`${PD}/tested`, patch("json", [{ op: "test", path: "/schedulerName", value: "nope" }, { op: "replace", path: "/schedulerName", value: "x" }]));
      expect(a.status).toBe(422);
      expect(b.json.message).toBe("the server rejected our request due to an error in our request");
      same(a, b);
    });

    it("JSON patch removing a path that does not exist: 422 Invalid", async () => {
      const { PD } = await space("patch");
      await given(PD, pd("removed"));
      const [a, b] = await both(`${PD}/removed`, patch("json", [{ op: "remove", path: "/nope" }]));
      expect(a.status).toBe(422);
      same(a, b);
    });

    it("strategic merge patch: 415 with the accepted patch types", async () => {
      const { PD } = await space("patch");
      await given(PD, pd("strategic"));
      const [a, b] = await both(`${PD}/strategic`, patch("strategic", { schedulerName: "x" }));
      expect(a.status).toBe(415);
      expect(a.json.message).toBe("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
      same(a, b);
    });

    it("patch with a content type that is no patch type: 415", async () => {
      const { PD } = await space("patch");
      await given(PD, pd("plain"));
      const [a, b] = await both(`${PD}/plain`, { method: "PATCH", headers: { "content-type": "text/plain" }, body: "{}" });
      expect(a.status).toBe(415);
      same(a, b);
    });

    it("merge patch that makes the object invalid: 422", async () => {
      const { PD } = await space("patch");
      await given(PD, pd("invalidated"));
      const [a, b] = await both(`${PD}/invalidated`, patch("merge", { decisions: null }));
      expect(a.status).toBe(422);
      same(a, b);
    });

    it("patch of a missing object: 404", async () => {
      const { PD } = await space("patch");
      const [a, b] = await both(`${PD}/missing`, patch("merge", { schedulerName: "x" }));
      expect(a.status).toBe(404);
      same(a, b);
    });

    it("force on a non-apply patch: 422 PatchOptions", async () => {
      const { PD } = await space("patch");
      await given(PD, pd("forced"));
      const [a, b] = await both(`${PD}/forced?force=true`, patch("merge", {}));
      expect(a.status).toBe(422);
      same(a, b);
    });
  });
}
