/** Server-side apply: fieldManager, creation, no-op applies, conflicts and force. */
import { describe, expect, it } from "vitest";
import { AV, both, patch, same, space } from "../support/differential-sides.js";

export function apply(): void {
  describe("server-side apply", () => {
    const applied = (name: string, schedulerName?: string) => JSON.stringify({ apiVersion: AV, kind: "PlacementDecision", metadata: { name }, ...(schedulerName ? { schedulerName } : {}), decisions: [] });

    it("apply without fieldManager: 422 PatchOptions, `fieldManager: Required value`", async () => {
      const { PD } = await space("apply");
      const [a, b] = await both(`${PD}/no-manager`, patch("apply", applied("no-manager", "mine")));
      expect(a.status).toBe(422);
      expect(a.json.message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      same(a, b);
    });

    it("apply with fieldManager creates: 201, managedFields Apply", async () => {
      const { PD } = await space("apply-create");
      const [a, b] = await both(`${PD}/applied?fieldManager=m1`, patch("apply", applied("applied", "mine")));
      expect(a.status).toBe(201);
      same(a, b);
    });

    it("the same apply again: 200, nothing written (resourceVersion unchanged)", async () => {
      const { PD } = await space("apply-again");
      const [ca, cb] = await both(`${PD}/applied?fieldManager=m1`, patch("apply", applied("applied", "mine")));
      expect([ca.status, cb.status]).toEqual([201, 201]);
      const [a, b] = await both(`${PD}/applied?fieldManager=m1`, patch("apply", applied("applied", "mine")));
      expect(a.status).toBe(200);
      same(a, b);
      expect(a.json.metadata.resourceVersion).toBe(ca.json.metadata.resourceVersion);
      expect(b.json.metadata.resourceVersion).toBe(cb.json.metadata.resourceVersion);
    });

    it("a second manager's conflicting apply: 409 Conflict naming the field and its manager; with force: 200, the field changes manager", async () => {
      const { PD } = await space("apply-conflict");
      const [ca, cb] = await both(`${PD}/applied?fieldManager=m1`, patch("apply", applied("applied", "mine")));
      expect([ca.status, cb.status]).toEqual([201, 201]);
      const [a, b] = await both(`${PD}/applied?fieldManager=m2`, patch("apply", applied("applied", "theirs")));
      expect(a.status).toBe(409);
      expect(a.json.message).toBe('Apply failed with 1 conflict: conflict with "m1": .schedulerName');
      same(a, b);
      const [fa, fb] = await both(`${PD}/applied?fieldManager=m2&force=true`, patch("apply", applied("applied", "theirs")));
      expect(fa.status).toBe(200);
      same(fa, fb);
    });
  });
}
