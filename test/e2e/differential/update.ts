/** PUT: resourceVersion and uid preconditions, name and namespace checks. */
import { describe, expect, it } from "vitest";
import { both, given, n, patch, pd, rv, same, space, type Side } from "../support/differential-sides.js";

export function update(): void {
  describe("update", () => {
    const withRV = (name: string, rvOf: (s: Side) => string, extra: Record<string, unknown> = {}) => (s: Side) => ({
      method: "PUT",
      body: { ...pd(name, { labels: { tier: "gold" } }), metadata: { name, labels: { tier: "gold" }, resourceVersion: rvOf(s) }, ...extra },
    });

    it("update with the current resourceVersion: 200, generation bumped", async () => {
      const { PD } = await space("update");
      const [ca, cb] = await given(PD, pd("current", { labels: { tier: "gold" } }));
      const [a, b] = await both(`${PD}/current`, withRV("current", rv(ca, cb), { schedulerName: "sched-b" }));
      expect(a.status).toBe(200);
      same(a, b);
      expect(a.json.metadata.generation).toBe(2);
      expect(Number(a.json.metadata.resourceVersion)).toBeGreaterThan(Number(ca.json.metadata.resourceVersion));
    });

    it("update with a stale resourceVersion: 409 Conflict, `the object has been modified`", async () => {
      const { PD } = await space("update");
      const [ca, cb] = await given(PD, pd("stale"));
      await both(`${PD}/stale`, patch("merge", { schedulerName: "sched-c" }));
      const [a, b] = await both(`${PD}/stale`, withRV("stale", rv(ca, cb)));
      expect(a.status).toBe(409);
      expect(a.json.message).toBe('Operation cannot be fulfilled on placementdecisions.multicluster.x-k8s.io "stale": the object has been modified; please apply your changes to the latest version and try again');
      same(a, b);
    });

    it("update without resourceVersion: 422, `must be specified for an update`", async () => {
      const { PD } = await space("update");
      await given(PD, pd("no-rv"));
      const [a, b] = await both(`${PD}/no-rv`, { method: "PUT", body: pd("no-rv") });
      expect(a.status).toBe(422);
      expect(b.json.message).toBe('placementdecisions.multicluster.x-k8s.io "no-rv" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update');
      same(a, b);
    });

    it("update of a missing object: 404", async () => {
      const { PD } = await space("update");
      const [a, b] = await both(`${PD}/missing`, { method: "PUT", body: { ...pd("missing"), metadata: { name: "missing", resourceVersion: "5" } } });
      expect(a.status).toBe(404);
      same(a, b);
    });

    it("an update of a missing object without resourceVersion: 404 first", async () => {
      const { PD } = await space("update");
      const [a, b] = await both(`${PD}/never-was`, { method: "PUT", body: pd("never-was") });
      expect(a.status).toBe(404);
      same(a, b);
    });

    it("update with another name than the URL's: 400", async () => {
      const { PD } = await space("update");
      await given(PD, pd("named"));
      const [a, b] = await both(`${PD}/named`, { method: "PUT", body: { ...pd("other"), metadata: { name: "other", resourceVersion: "5" } } });
      expect(a.status).toBe(400);
      expect(a.json.message).toBe("the name of the object (other) does not match the name on the URL (named)");
      same(a, b);
    });

    it("update with another namespace than the URL's: 400 (EnsureObjectNamespaceMatchesRequestNamespace)", async () => {
      const { PD } = await space("update");
      await given(PD, pd("spaced"));
      const [a, b] = await both(`${PD}/spaced`, { method: "PUT", body: { ...pd("spaced"), metadata: { name: "spaced", namespace: "kube-system", resourceVersion: "5" } } });
      expect(a.status).toBe(400);
      expect(a.json.message).toBe("the namespace of the provided object does not match the namespace sent on the request");
      same(a, b);
    });

    it("an update whose uid is not the stored one: 409 Conflict (the uid is a precondition)", async () => {
      const { PD } = await space("update");
      const [ca, cb] = await given(PD, pd("uidp"));
      const [a, b] = await both(`${PD}/uidp`, (s) => ({ method: "PUT", body: { ...pd("uidp"), metadata: { name: "uidp", uid: "00000000-0000-0000-0000-000000000000", resourceVersion: rv(ca, cb)(s) } } }));
      expect(a.status).toBe(409);
      // kube-apiserver's message carries its storage error's internals (`StorageError: invalid object, Code: 4, Key:
      // /registry/…`); ours keeps only the part meant for the client, which ends both.
      const tail = (m: string) => n.text(m.slice(m.indexOf("Precondition failed:")));
      expect(tail(a.json.message)).toEqual(tail(b.json.message));
      same(a, b, { documented: ["body.message"] });
    });
  });
}
