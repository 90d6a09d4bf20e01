/** Unknown fields and the fieldValidation parameter (Warn by default since kube-apiserver 1.27). */
import { describe, expect, it } from "vitest";
import { both, given, n, patch, pd, post, rv, same, space } from "../support/differential-sides.js";

export function fieldValidation(): void {
  describe("unknown fields (fieldValidation)", () => {
    const withUnknown = (name: string) => ({ ...pd(name), decisions: [{ clusterProfileRef: { name: "x", bogus: 1 } }], extra: "y" });
    const warnings = ['unknown field "decisions[0].clusterProfileRef.bogus"', 'unknown field "extra"'];

    it("by default (Warn): 201, pruned, a Warning header per field", async () => {
      const { PD } = await space("field-validation");
      const [a, b] = await both(`${PD}?dryRun=All`, post(withUnknown("u1")));
      expect(a.status).toBe(201);
      same(a, b);
      expect(a.warnings).toEqual(warnings);
      expect(b.warnings).toEqual(warnings);
    });

    it("fieldValidation=Warn: as the default", async () => {
      const { PD } = await space("field-validation");
      const [a, b] = await both(`${PD}?dryRun=All&fieldValidation=Warn`, post(withUnknown("u2")));
      same(a, b);
      expect(a.warnings).toEqual(warnings);
      expect(b.warnings).toEqual(warnings);
    });

    it("fieldValidation=Ignore: 201, pruned, no warning", async () => {
      const { PD } = await space("field-validation");
      const [a, b] = await both(`${PD}?dryRun=All&fieldValidation=Ignore`, post(withUnknown("u3")));
      same(a, b);
      expect(a.warnings).toEqual([]);
      expect(b.warnings).toEqual([]);
    });

    it("fieldValidation=Strict: 400 `strict decoding error`", async () => {
      const { PD } = await space("field-validation");
      const [a, b] = await both(`${PD}?dryRun=All&fieldValidation=Strict`, post(withUnknown("u4")));
      expect(n.answer(a).body).toEqual({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        reason: "BadRequest",
        code: 400,
        message: 'PlacementDecision in version "v1alpha1" cannot be handled as a PlacementDecision: strict decoding error: unknown field "decisions[0].clusterProfileRef.bogus", unknown field "extra"',
      });
      same(a, b);
    });

    it("fieldValidation=Strict on an update: 400 `strict decoding error`", async () => {
      const { PD } = await space("field-validation");
      const [ca, cb] = await given(PD, pd("u6"));
      const [a, b] = await both(`${PD}/u6?fieldValidation=Strict`, (s) => ({ method: "PUT", body: { ...withUnknown("u6"), metadata: { name: "u6", resourceVersion: rv(ca, cb)(s) } } }));
      expect(a.status).toBe(400);
      same(a, b);
    });

    it("fieldValidation=Strict on a merge patch: 400 `strict decoding error`", async () => {
      const { PD } = await space("field-validation");
      await given(PD, pd("u7"));
      const [a, b] = await both(`${PD}/u7?fieldValidation=Strict`, patch("merge", { extra: "y" }));
      // 422 on `patch`, quoting the patched object (Go's JSON, keys sorted) with each side's uid, times and
      // resourceVersion: those compare by format.
      expect(a.status).toBe(422);
      const quoted = (m: string) => String(n.text(m)).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, "<time>").replace(/(resourceVersion\\":\\")\d+/g, "$1<rv>");
      expect(quoted(a.json.message)).toBe(quoted(b.json.message));
      expect(quoted(a.json.details.causes[0].message)).toBe(quoted(b.json.details.causes[0].message));
      expect(a.json.message).toMatch(/^ "" is invalid: patch: Invalid value: ".*": strict decoding error: unknown field "extra"$/);
      same(a, b, { documented: ["body.message", "body.details.causes.0.message"] });
    });

    it("an unknown fieldValidation value: 422 on CreateOptions", async () => {
      const { PD } = await space("field-validation");
      const [a, b] = await both(`${PD}?dryRun=All&fieldValidation=Bogus`, post(pd("u5")));
      expect(a.status).toBe(422);
      same(a, b);
    });
  });
}
