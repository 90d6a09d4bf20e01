/** Create and get: status codes, server-set metadata, the common refusals. */
import { describe, expect, it } from "vitest";
import { both, expectServerMeta, G, GENERATED_SUFFIX, given, pd, post, same, space } from "../support/differential-sides.js";

export function createAndGet(): void {
  describe("create and get", () => {
    it("create: 201 with uid, creationTimestamp, generation 1, resourceVersion", async () => {
      const { PD } = await space("create");
      const [a, b] = await both(PD, post(pd("alpha", { labels: { tier: "gold" } })));
      expect(a.status).toBe(201);
      same(a, b);
      expectServerMeta(a.json, 1);
      expectServerMeta(b.json, 1);
    });

    it("create with generateName: 201, name = prefix + 5 characters", async () => {
      const { PD } = await space("generate-name");
      const [a, b] = await both(PD, post({ ...pd(""), metadata: { generateName: "gen-", labels: { tier: "silver" } } }));
      expect(a.status).toBe(201);
      same(a, b);
      for (const x of [a, b]) expect(x.json.metadata.name.slice(4)).toMatch(GENERATED_SUFFIX);
    });

    it("get: 200, the stored object", async () => {
      const { PD } = await space("get");
      await given(PD, pd("alpha", { labels: { tier: "gold" } }));
      const [a, b] = await both(`${PD}/alpha`);
      expect(a.status).toBe(200);
      same(a, b);
    });

    it("get of a missing object: 404 NotFound, `placementdecisions.multicluster.x-k8s.io \"nope\" not found`", async () => {
      const { PD } = await space("get");
      const [a, b] = await both(`${PD}/nope`);
      expect(a.status).toBe(404);
      expect(a.json.message).toBe('placementdecisions.multicluster.x-k8s.io "nope" not found');
      same(a, b);
    });

    it("create of an existing name: 409 AlreadyExists", async () => {
      const { PD } = await space("exists");
      await given(PD, pd("alpha"));
      const [a, b] = await both(PD, post(pd("alpha")));
      expect(a.status).toBe(409);
      expect(a.json.reason).toBe("AlreadyExists");
      same(a, b);
    });

    it("create with a namespace other than the URL's: 400", async () => {
      const { PD } = await space("create");
      const [a, b] = await both(PD, post({ ...pd("x1"), metadata: { name: "x1", namespace: "kube-system" } }));
      expect(a.status).toBe(400);
      same(a, b);
    });

    it("create with another apiVersion: 400", async () => {
      const { PD } = await space("create");
      const [a, b] = await both(PD, post({ ...pd("x2"), apiVersion: "multicluster.x-k8s.io/v1" }));
      expect(a.status).toBe(400);
      same(a, b);
    });

    it("create with an unparsable body: 400 BadRequest", async () => {
      const { PD } = await space("create");
      const [a, b] = await both(PD, { method: "POST", headers: { "content-type": "application/json" }, body: '{"apiVersion":' });
      expect(a.status).toBe(400);
      same(a, b);
    });

    it("create with a body type it cannot decode: 415", async () => {
      const { PD } = await space("create");
      const [a, b] = await both(PD, { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
      expect(a.status).toBe(415);
      expect(b.json.message).toBe("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
      same(a, b, { unless: { "media-type-list": ["body.message"] } });
    });

    it("a create in a namespace that does not exist: 404 for the namespace", async () => {
      const [a, b] = await both(`${G}/namespaces/no-such-ns/placementdecisions`, post(pd("x")));
      expect(a.status).toBe(404);
      expect(a.json.message).toBe('namespaces "no-such-ns" not found');
      same(a, b);
    });

    it("a body of another kind: 422 Invalid naming that kind", async () => {
      const { CP } = await space("create");
      const [a, b] = await both(CP, post({ ...pd("cp3") }));
      expect(a.status).toBe(422);
      same(a, b);
    });

    it("dryRun with an unknown value: 422 on CreateOptions", async () => {
      const { PD } = await space("create");
      const [a, b] = await both(`${PD}?dryRun=Bogus`, post(pd("dry-bogus")));
      expect(a.status).toBe(422);
      same(a, b);
    });

    it("dryRun=All create: 201 without resourceVersion, nothing stored", async () => {
      const { PD } = await space("dry-run");
      const [a, b] = await both(`${PD}?dryRun=All`, post(pd("dry")));
      expect(a.status).toBe(201);
      expect(a.json.metadata.resourceVersion).toBeUndefined();
      same(a, b);
      const [ga, gb] = await both(`${PD}/dry`);
      expect(ga.status).toBe(404);
      same(ga, gb);
    });

    it("a create carrying a resourceVersion: 400 here, a reason-less 500 in kube-apiserver (kept on purpose)", async () => {
      const { PD } = await space("create");
      const [a, b] = await both(PD, post({ ...pd("rv-set"), metadata: { name: "rv-set", resourceVersion: "5" } }));
      expect(a.status).toBe(400);
      expect(a.json.message).toBe("resourceVersion should not be set on objects to be created");
      expect(b.status).toBe(500);
    });
  });
}
