/** DELETE and deletecollection: Status answers, preconditions, finalizers. */
import { describe, expect, it } from "vitest";
import { both, given, n, patch, pd, same, space, TIME, type Json } from "../support/differential-sides.js";

export function deletes(): void {
  describe("delete", () => {
    it("delete: 200 (a Success Status for custom resources)", async () => {
      const { PD } = await space("delete");
      await given(PD, pd("del1"));
      const [a, b] = await both(`${PD}/del1`, { method: "DELETE" });
      expect(a.status).toBe(200);
      expect(n.answer(b).body).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name: "del1", group: "multicluster.x-k8s.io", kind: "placementdecisions", uid: "<uid>" } });
      same(a, b);
      const [ga, gb] = await both(`${PD}/del1`);
      expect(ga.status).toBe(404);
      same(ga, gb);
    });

    it("delete of a missing object: 404", async () => {
      const { PD } = await space("delete");
      const [a, b] = await both(`${PD}/never-was`, { method: "DELETE" });
      expect(a.status).toBe(404);
      same(a, b);
    });

    it("delete with a uid or resourceVersion precondition that does not hold: 409 Conflict", async () => {
      const { PD } = await space("delete");
      await given(PD, pd("del2"));
      const [a, b] = await both(`${PD}/del2`, { method: "DELETE", body: { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } } });
      expect(a.status).toBe(409);
      expect(b.json.message).toMatch(/^Operation cannot be fulfilled on PlacementDecision.multicluster.x-k8s.io "del2": the UID in the precondition \(00000000-0000-0000-0000-000000000000\) does not match the UID in record \([0-9a-f-]{36}\). The object might have been deleted and then recreated$/);
      same(a, b);
      const [a2, b2] = await both(`${PD}/del2`, { method: "DELETE", body: { kind: "DeleteOptions", apiVersion: "v1", preconditions: { resourceVersion: "1" } } });
      expect(a2.status).toBe(409);
      same(a2, b2);
    });

    it("an unknown propagationPolicy: 422 DeleteOptions", async () => {
      const { PD } = await space("delete");
      await given(PD, pd("del3"));
      const [a, b] = await both(`${PD}/del3?propagationPolicy=Bogus`, { method: "DELETE" });
      expect(a.status).toBe(422);
      same(a, b);
    });

    it("delete with a finalizer: the object returned with deletionTimestamp; removing the finalizer removes it", async () => {
      const { PD } = await space("delete");
      const [ca, cb] = await given(PD, pd("held", { finalizers: ["example.com/hold"] }));
      same(ca, cb);
      const [a, b] = await both(`${PD}/held`, { method: "DELETE" });
      expect(a.status).toBe(200);
      expect(a.json.metadata.deletionTimestamp).toMatch(TIME);
      expect(a.json.metadata.generation).toBe(2);
      same(a, b);
      const [a2, b2] = await both(`${PD}/held`, { method: "DELETE" });
      expect(a2.status).toBe(200);
      same(a2, b2);
      const [a3, b3] = await both(`${PD}/held`, patch("merge", { metadata: { finalizers: null } }));
      expect(a3.status).toBe(200);
      same(a3, b3);
      const [a4, b4] = await both(`${PD}/held`);
      expect(a4.status).toBe(404);
      same(a4, b4);
    });

    it("deletecollection with a label selector: 200 with the deleted items; they are gone", async () => {
      const { PD } = await space("deletecollection");
      for (const name of ["dc1", "dc2"]) await given(PD, pd(name, { labels: { grp: "dc" } }));
      await given(PD, pd("dc-kept"));
      const [a, b] = await both(`${PD}?labelSelector=grp%3Ddc`, { method: "DELETE" });
      expect(a.status).toBe(200);
      expect(a.json.items.map((i: Json) => i.metadata.name)).toEqual(["dc1", "dc2"]);
      same(a, b);
      const [la, lb] = await both(PD);
      expect(la.json.items.map((i: Json) => i.metadata.name)).toEqual(["dc-kept"]);
      same(la, lb);
    });
  });
}
