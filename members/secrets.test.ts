import { describe, expect, it } from "vitest";
import { MemberIndex } from "./member-index.js";
import { classifySecret, inNamespaces, selectMembers, type MemberCandidate, type SecretLike } from "./secrets.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

function secret(name: string, over: Partial<SecretLike> & { ns?: string; created?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): SecretLike {
  return {
    type: over.type ?? "clusterset.dev/kubeconfig",
    data: over.data ?? { kubeconfig: b64(`kubeconfig of ${name}`) },
    metadata: {
      name,
      namespace: over.ns ?? "fleet",
      uid: `uid-${name}`,
      resourceVersion: "1",
      creationTimestamp: over.created ?? "2024-01-01T00:00:00Z",
      ...(over.labels ? { labels: over.labels } : {}),
      ...(over.annotations ? { annotations: over.annotations } : {}),
    },
  };
}

const member = (s: SecretLike): MemberCandidate => {
  const c = classifySecret(s);
  if (!c || !("member" in c)) throw new Error(`not a member: ${JSON.stringify(c)}`);
  return c.member;
};

describe("classifySecret", () => {
  it("clusterset.dev/kubeconfig: named after the Secret, or the cluster-name label; display name annotation", () => {
    expect(member(secret("east"))).toMatchObject({ namespace: "fleet", profile: "east", secretName: "east", kind: "clusterset", key: "kubeconfig" });
    const m = member(secret("east-kc", { labels: { "clusterset.dev/cluster-name": "east" }, annotations: { "clusterset.dev/display-name": "East DC" } }));
    expect(m).toMatchObject({ profile: "east", secretName: "east-kc", displayName: "East DC" });
    expect(m.kubeconfig?.reveal().toString()).toBe("kubeconfig of east-kc");
  });

  it("Cluster API: only <cluster>-kubeconfig with the cluster-name label, kubeconfig in data.value", () => {
    const capi = (name: string, cluster: string | undefined) =>
      secret(name, { type: "cluster.x-k8s.io/secret", data: { value: b64("kc") }, ...(cluster ? { labels: { "cluster.x-k8s.io/cluster-name": cluster } } : {}) });
    expect(member(capi("prod-kubeconfig", "prod"))).toMatchObject({ profile: "prod", kind: "cluster-api", key: "value", secretName: "prod-kubeconfig" });
    for (const other of ["prod-ca", "prod-etcd", "prod-sa", "prod-proxy", "prod-md-0-abcde"]) expect(classifySecret(capi(other, "prod"))).toBeUndefined();
    expect(classifySecret(capi("prod-kubeconfig", undefined))).toBeUndefined();
    expect(classifySecret(capi("prod-kubeconfig", "other"))).toBeUndefined();
  });

  it("ignores other Secret types; missing data still makes a member (shown as not joined)", () => {
    expect(classifySecret(secret("x", { type: "Opaque" }))).toBeUndefined();
    expect(classifySecret(secret("x", { type: "kubernetes.io/service-account-token" }))).toBeUndefined();
    const m = member(secret("x", { data: {} }));
    expect(m.kubeconfig).toBeUndefined();
  });

  it("skips profile names a ClusterProfile cannot have", () => {
    expect(classifySecret(secret("x", { labels: { "clusterset.dev/cluster-name": "East_DC" } }))).toEqual({ skip: expect.stringMatching(/"East_DC" is not a lowercase DNS subdomain/) });
  });

  it("accepts Date timestamps (client-node lists) and string ones (watch events) alike", () => {
    const s = secret("a");
    s.metadata!.creationTimestamp = new Date("2024-01-01T00:00:00Z");
    expect(member(s).created).toBe(member(secret("a")).created);
  });

  it("never shows the kubeconfig when serialized", () => {
    const m = member(secret("a"));
    expect(JSON.stringify(m)).not.toContain(b64("kubeconfig of a"));
    expect(JSON.stringify(m)).toContain('"kubeconfig":"[redacted]"');
  });
});

describe("selectMembers: the older Secret wins", () => {
  it("by creationTimestamp, then by name; losers are listed on the winner", () => {
    const old = member(secret("b-kc", { created: "2024-01-01T00:00:00Z", labels: { "clusterset.dev/cluster-name": "east" } }));
    const young = member(secret("a-kc", { created: "2024-06-01T00:00:00Z", labels: { "clusterset.dev/cluster-name": "east" } }));
    const sameAge = member(secret("c-kc", { created: "2024-01-01T00:00:00Z", labels: { "clusterset.dev/cluster-name": "east" } }));
    const got = selectMembers([young, sameAge, old]);
    expect([...got.keys()]).toEqual(["fleet/east"]);
    expect(got.get("fleet/east")).toMatchObject({ secretName: "b-kc", ignored: ["a-kc", "c-kc"] });
  });

  it("a Cluster API Secret and a clusterset Secret can collide on one profile", () => {
    const capi = member(secret("prod-kubeconfig", { type: "cluster.x-k8s.io/secret", data: { value: b64("kc") }, created: "2023-01-01T00:00:00Z", labels: { "cluster.x-k8s.io/cluster-name": "prod" } }));
    const ours = member(secret("prod", { created: "2024-01-01T00:00:00Z" }));
    expect(selectMembers([ours, capi]).get("fleet/prod")).toMatchObject({ kind: "cluster-api", ignored: ["prod"] });
  });

  it("the same profile name in two namespaces is two members", () => {
    const got = selectMembers([member(secret("east", { ns: "a" })), member(secret("east", { ns: "b" }))]);
    expect([...got.keys()].sort()).toEqual(["a/east", "b/east"]);
    expect(got.get("a/east")?.ignored).toEqual([]);
  });
});

describe("--namespaces", () => {
  it("empty means all", () => {
    expect(inNamespaces("x", [])).toBe(true);
    expect(inNamespaces("x", ["a", "x"])).toBe(true);
    expect(inNamespaces("y", ["a", "x"])).toBe(false);
  });
});

describe("MemberIndex (incremental, from Secret events)", () => {
  const east = (name: string, created: string) => secret(name, { created, labels: { "clusterset.dev/cluster-name": "east" } });

  it("reports upserts and deletes, and the loser taking over when the winner goes", () => {
    const idx = new MemberIndex();
    expect(idx.apply("add", east("kc-1", "2024-01-01T00:00:00Z")).changes).toMatchObject([{ type: "upsert", key: "fleet/east", source: { secretName: "kc-1", ignored: [] } }]);
    expect(idx.apply("add", east("kc-2", "2024-02-01T00:00:00Z")).changes).toMatchObject([{ type: "upsert", source: { secretName: "kc-1", ignored: ["kc-2"] } }]);
    expect(idx.apply("delete", east("kc-1", "2024-01-01T00:00:00Z")).changes).toMatchObject([{ type: "upsert", source: { secretName: "kc-2", ignored: [] } }]);
    expect(idx.apply("delete", east("kc-2", "2024-02-01T00:00:00Z")).changes).toMatchObject([{ type: "delete", key: "fleet/east" }]);
    expect(idx.size).toBe(0);
  });

  it("a relabel moves the Secret from one profile to another", () => {
    const idx = new MemberIndex();
    idx.apply("add", secret("kc", { labels: { "clusterset.dev/cluster-name": "a" } }));
    const r = idx.apply("update", secret("kc", { labels: { "clusterset.dev/cluster-name": "b" } }));
    expect(r.changes.map((c) => `${c.type} ${c.key}`).sort()).toEqual(["delete fleet/a", "upsert fleet/b"]);
  });

  it("stays quiet when nothing it reads changed; speaks when the kubeconfig or display name did", () => {
    const idx = new MemberIndex();
    idx.apply("add", secret("a"));
    const relabeled = secret("a", { labels: { team: "x" } });
    relabeled.metadata!.resourceVersion = "2";
    expect(idx.apply("update", relabeled).changes).toEqual([]);
    expect(idx.apply("update", secret("a", { data: { kubeconfig: b64("new") } })).changes).toHaveLength(1);
    expect(idx.apply("update", secret("a", { data: { kubeconfig: b64("new") }, annotations: { "clusterset.dev/display-name": "A" } })).changes).toHaveLength(1);
  });

  it("honours --namespaces, and reports unusable member Secrets", () => {
    const idx = new MemberIndex(["fleet"]);
    expect(idx.apply("add", secret("a", { ns: "other" })).changes).toEqual([]);
    expect(idx.apply("add", secret("a")).changes).toHaveLength(1);
    expect(idx.apply("add", secret("b", { labels: { "clusterset.dev/cluster-name": "B!" } })).skipped).toMatch(/not a lowercase/);
  });

  it("a Secret changing type away from ours leaves", () => {
    const idx = new MemberIndex();
    idx.apply("add", secret("a"));
    expect(idx.apply("update", secret("a", { type: "Opaque" })).changes).toMatchObject([{ type: "delete", key: "fleet/a" }]);
  });
});
