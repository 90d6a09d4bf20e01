import { describe, expect, it } from "vitest";
import type { UserInfo } from "./authn/user.js";
import {
  accessReviewSpec,
  createAuthorizer,
  forbiddenDetails,
  forbiddenMessage,
  goQuote,
  type AccessReviewSpec,
  type SubjectAccessReviewer,
} from "./authz.js";
import type { RequestAttributes } from "./request-attributes.js";

const G = "multicluster.x-k8s.io";

function attrs(a: Partial<RequestAttributes>): RequestAttributes {
  return {
    isResourceRequest: true,
    verb: "get",
    path: "/",
    apiGroup: G,
    apiVersion: "v1alpha1",
    resource: "",
    subresource: "",
    namespace: "",
    name: "",
    ...a,
  };
}

const alice: UserInfo = { name: "alice", groups: ["dev", "system:authenticated"], extra: {} };

describe("forbiddenMessage", () => {
  it("words namespaced, cluster-scope, subresource, named and non-resource requests as k8s.io/apiserver", () => {
    expect(forbiddenMessage(alice, attrs({ verb: "list", resource: "clusterprofiles", namespace: "default" }))).toBe(
      'clusterprofiles.multicluster.x-k8s.io is forbidden: User "alice" cannot list resource "clusterprofiles" in API group "multicluster.x-k8s.io" in the namespace "default"',
    );
    expect(forbiddenMessage(alice, attrs({ verb: "list", resource: "works" }))).toBe(
      'works.multicluster.x-k8s.io is forbidden: User "alice" cannot list resource "works" in API group "multicluster.x-k8s.io" at the cluster scope',
    );
    expect(
      forbiddenMessage(alice, attrs({ verb: "update", resource: "works", subresource: "status", namespace: "ns1", name: "w1" })),
    ).toBe(
      'works.multicluster.x-k8s.io "w1" is forbidden: User "alice" cannot update resource "works/status" in API group "multicluster.x-k8s.io" in the namespace "ns1"',
    );
    expect(forbiddenMessage(alice, attrs({ verb: "get", resource: "works", namespace: "default", name: "w1" }))).toBe(
      'works.multicluster.x-k8s.io "w1" is forbidden: User "alice" cannot get resource "works" in API group "multicluster.x-k8s.io" in the namespace "default"',
    );
    expect(forbiddenMessage({ name: "x" }, attrs({ isResourceRequest: false, apiGroup: "", apiVersion: "", verb: "get", path: "/foo" }))).toBe(
      'forbidden: User "x" cannot get path "/foo"',
    );
  });

  it("appends the hub's reason, quotes as Go's %q, and keeps the text from looking like HTML", () => {
    expect(forbiddenMessage(alice, attrs({ verb: "list", resource: "works" }), 'RBAC: clusterrole "x" not found')).toBe(
      'works.multicluster.x-k8s.io is forbidden: User "alice" cannot list resource "works" in API group "multicluster.x-k8s.io" at the cluster scope: RBAC: clusterrole "x" not found',
    );
    expect(forbiddenMessage({ name: 'a"b<c>&' }, attrs({ isResourceRequest: false, apiGroup: "", verb: "post", path: "/x" }))).toBe(
      'forbidden: User "a\\"b&lt;c&gt;&amp;" cannot post path "/x"',
    );
    expect(goQuote("tab\there\n\x01é")).toBe('"tab\\there\\n\\x01é"');
  });

  it("gives the Status details upstream sends (kind is the plural resource)", () => {
    expect(forbiddenDetails(attrs({ resource: "works", name: "w1", subresource: "status" }))).toEqual({ group: G, kind: "works", name: "w1" });
    expect(forbiddenDetails(attrs({ isResourceRequest: false, apiGroup: "", path: "/foo" }))).toEqual({});
  });
});

describe("accessReviewSpec", () => {
  it("sends resource attributes without empty fields, and sorted extra", () => {
    const user: UserInfo = { name: "bob", uid: "u1", groups: ["g"], extra: { zeta: ["1"], alpha: ["2", "3"] } };
    const spec = accessReviewSpec(user, attrs({ verb: "watch", resource: "works", namespace: "ns", name: "w1" }));
    expect(spec).toEqual({
      user: "bob",
      uid: "u1",
      groups: ["g"],
      extra: { alpha: ["2", "3"], zeta: ["1"] },
      resourceAttributes: { namespace: "ns", verb: "watch", group: G, version: "v1alpha1", resource: "works", name: "w1" },
    });
    expect(Object.keys(spec.extra!)).toEqual(["alpha", "zeta"]);
  });

  it("sends path and verb for non-resource requests", () => {
    expect(accessReviewSpec(alice, attrs({ isResourceRequest: false, verb: "get", path: "/openapi/v2" }))).toEqual({
      user: "alice",
      groups: ["dev", "system:authenticated"],
      nonResourceAttributes: { path: "/openapi/v2", verb: "get" },
    });
  });
});

describe("createAuthorizer", () => {
  function fakeHub(allow: (spec: AccessReviewSpec) => boolean) {
    const calls: AccessReviewSpec[] = [];
    const hub: SubjectAccessReviewer = {
      async reviewAccess(spec) {
        calls.push(spec);
        return allow(spec) ? { allowed: true } : { allowed: false, reason: "no rule" };
      },
    };
    return { hub, calls };
  }
  const list = attrs({ verb: "list", resource: "works", namespace: "default" });

  it("caches allowed and denied answers for their TTL, keyed by the whole review", async () => {
    let clock = 0;
    const { hub, calls } = fakeHub((s) => s.user === "alice");
    const authz = createAuthorizer(hub, { now: () => clock, allowedTTLMs: 10_000, deniedTTLMs: 5_000 });
    const bob: UserInfo = { name: "bob", groups: [], extra: {} };

    expect(await authz.authorize(alice, list)).toEqual({ allowed: true, reason: "" });
    expect(await authz.authorize(alice, list)).toEqual({ allowed: true, reason: "" });
    expect(await authz.authorize(bob, list)).toEqual({ allowed: false, reason: "no rule" });
    expect(await authz.authorize(bob, list)).toEqual({ allowed: false, reason: "no rule" });
    expect(calls).toHaveLength(2);

    // Another namespace, another group set, another extra: other reviews.
    await authz.authorize(alice, { ...list, namespace: "other" });
    await authz.authorize({ ...alice, groups: ["dev"] }, list);
    await authz.authorize({ ...alice, extra: { k: ["v"] } }, list);
    expect(calls).toHaveLength(5);

    clock = 5_001; // denied entries expire first
    await authz.authorize(bob, list);
    await authz.authorize(alice, list);
    expect(calls).toHaveLength(6);
    clock = 10_001;
    await authz.authorize(alice, list);
    expect(calls).toHaveLength(7);
  });

  it("asks once for concurrent identical reviews, does not cache errors, and treats denied as not allowed", async () => {
    let fail = true;
    let calls = 0;
    const hub: SubjectAccessReviewer = {
      async reviewAccess() {
        calls++;
        await new Promise((r) => setImmediate(r)); // the others ask meanwhile
        if (fail) throw new Error("hub down");
        return { allowed: true, denied: true };
      },
    };
    const authz = createAuthorizer(hub);
    const results = await Promise.allSettled([1, 2, 3].map(() => authz.authorize(alice, list)));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(calls).toBe(1);
    fail = false;
    expect((await authz.authorize(alice, list)).allowed).toBe(false);
    expect(calls).toBe(2);
  });

  it("allows system:masters without asking (the hub's availability probe), as upstream's default", async () => {
    const { hub, calls } = fakeHub(() => false);
    const authz = createAuthorizer(hub);
    const aggregator: UserInfo = { name: "system:kube-aggregator", groups: ["system:masters", "system:authenticated"], extra: {} };
    expect((await authz.authorize(aggregator, attrs({ isResourceRequest: false, path: "/apis/x/v1" }))).allowed).toBe(true);
    expect(calls).toHaveLength(0);
    expect((await createAuthorizer(hub, { alwaysAllowGroups: [] }).authorize(aggregator, list)).allowed).toBe(false);
  });
});
