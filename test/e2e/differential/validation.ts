/** Schema validation of create bodies: 422 Invalid with details.kind = the Kind. */
import { describe, expect, it } from "vitest";
import { AV, both, n, pd, post, same, space, type Answer, type Json } from "../support/differential-sides.js";

export function validation(): void {
  describe("validation (422 Invalid, details.kind = Kind)", () => {
    it("a required field missing", async () => {
      const { PD } = await space("validation");
      const [a, b] = await both(PD, post({ apiVersion: AV, kind: "PlacementDecision", metadata: { name: "bad1" } }));
      expect(a.status).toBe(422);
      expect(a.json.message).toBe('PlacementDecision.multicluster.x-k8s.io "bad1" is invalid: decisions: Required value');
      same(a, b);
    });

    it("wrong types: cause type FieldValueTypeInvalid", async () => {
      const { PD } = await space("validation");
      // One error per request: kube-apiserver orders several errors randomly (schema properties are a Go map).
      for (const [field, value] of [["decisions", "x"], ["schedulerName", 5]] as const) {
        const [a, b] = await both(PD, post({ ...pd("bad2"), [field]: value }));
        expect(a.status, field).toBe(422);
        expect(n.answer(a).body.details.causes.map((c: Json) => c.reason), field).toEqual(["FieldValueTypeInvalid"]);
        same(a, b, { what: field });
      }
      // Several: the same causes (in an order of our choosing; kube-apiserver's varies from one request to the next).
      const [a, b] = await both(PD, post({ ...pd("bad2"), decisions: "x", schedulerName: 5 }));
      const fields = (x: Answer) => (x.json.details.causes as Json[]).map((c) => c.field).sort();
      expect(fields(a)).toEqual(["decisions", "schedulerName"]);
      expect(fields(a)).toEqual(fields(b));
    });

    it("a nested required field: the list index in the path", async () => {
      const { PD } = await space("validation");
      const [a, b] = await both(PD, post({ apiVersion: AV, kind: "PlacementDecision", metadata: { name: "bad3" }, decisions: [{ clusterProfileRef: {} }] }));
      expect(a.status).toBe(422);
      expect(a.json.message).toBe('PlacementDecision.multicluster.x-k8s.io "bad3" is invalid: decisions[0].clusterProfileRef.name: Required value');
      same(a, b);
    });

    it("maxItems: `Too many: 101: must have at most 100 items`", async () => {
      const { PD } = await space("validation");
      const decisions = Array.from({ length: 101 }, (_, i) => ({ clusterProfileRef: { name: `c${i}` } }));
      const [a, b] = await both(PD, post({ apiVersion: AV, kind: "PlacementDecision", metadata: { name: "big" }, decisions }));
      expect(a.status).toBe(422);
      expect(a.json.message).toBe('PlacementDecision.multicluster.x-k8s.io "big" is invalid: decisions: Too many: 101: must have at most 100 items');
      same(a, b);
    });

    it("an invalid name", async () => {
      const { PD } = await space("validation");
      const [a, b] = await both(PD, post(pd("Bad_Name")));
      expect(a.status).toBe(422);
      same(a, b);
    });

    it("no name and no generateName", async () => {
      const { PD } = await space("validation");
      const [a, b] = await both(PD, post({ ...pd(""), metadata: {} }));
      expect(a.status).toBe(422);
      expect(a.json.message).toBe('PlacementDecision.multicluster.x-k8s.io "" is invalid: metadata.name: Required value: name or generateName is required');
      same(a, b);
    });
  });
}
