/**
 * The hub calls (TokenReview, SubjectAccessReview, the auth ConfigMap's list + watch) against a tiny fake
 * HTTPS hub in this process, through @kubernetes/client-node as in production. What matters here is caching
 * and the watch loop; the real hub is exercised by the e2e suites.
 */
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { ServerResponse } from "node:http";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { watchAuthConfig, staticAuthConfig } from "./auth-config.js";
import { createAuthenticator } from "./authn/chain.js";
import type { AuthnRequest } from "./authn/request.js";
import { createAuthorizer } from "./authz.js";
import { createCA, createCertificate, type PemKeyPair } from "./tls/mint.js";
import type { RequestAttributes } from "./request-attributes.js";
import { until } from "../testing/until.js";

const SA_TOKEN = "service-account-token";

interface Hub {
  tokenReviews: { spec: { token: string }; authorization: string | undefined }[];
  accessReviews: { spec: Record<string, unknown> }[];
  lists: URLSearchParams[];
  watches: { query: URLSearchParams; res: ServerResponse }[];
  configMap: { data: Record<string, string>; rv: string } | undefined;
  failNext: number;
}

let hubCA: PemKeyPair;
let server: https.Server;
let kc: KubeConfig;
const hub: Hub = { tokenReviews: [], accessReviews: [], lists: [], watches: [], configMap: undefined, failNext: 0 };

function cmObject(): unknown {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "extension-apiserver-authentication", namespace: "kube-system", resourceVersion: hub.configMap!.rv },
    data: hub.configMap!.data,
  };
}

beforeAll(async () => {
  hubCA = await createCA("hub-ca");
  const serving = await createCertificate({ commonName: "hub", hosts: ["127.0.0.1"] }, hubCA);
  server = https.createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://hub");
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => {
      const json = (code: number, obj: unknown) => {
        res.writeHead(code, { "content-type": "application/json" });
        res.end(JSON.stringify(obj));
      };
      if (hub.failNext > 0) {
        hub.failNext--;
        return json(500, { kind: "Status", apiVersion: "v1", status: "Failure", message: "etcd is sad", code: 500 });
      }
      if (req.method === "POST" && url.pathname === "/apis/authentication.k8s.io/v1/tokenreviews") {
        const review = JSON.parse(body) as { spec: { token: string } };
        hub.tokenReviews.push({ spec: review.spec, authorization: req.headers.authorization });
        const ok = review.spec.token === "good";
        return json(201, {
          ...review,
          status: ok
            ? { authenticated: true, user: { username: "tok-user", uid: "42", groups: ["tok-group"], extra: { k: ["v"] } } }
            : { authenticated: false, error: "token not found" },
        });
      }
      if (req.method === "POST" && url.pathname === "/apis/authorization.k8s.io/v1/subjectaccessreviews") {
        const review = JSON.parse(body) as { spec: Record<string, unknown> };
        hub.accessReviews.push({ spec: review.spec });
        const allowed = review.spec.user === "alice";
        return json(201, { ...review, status: allowed ? { allowed: true } : { allowed: false, reason: "no RBAC rule" } });
      }
      if (req.method === "GET" && url.pathname === "/api/v1/namespaces/kube-system/configmaps") {
        if (url.searchParams.get("watch") === "true") {
          res.writeHead(200, { "content-type": "application/json" });
          res.flushHeaders();
          hub.watches.push({ query: url.searchParams, res });
          return;
        }
        hub.lists.push(url.searchParams);
        return json(200, {
          apiVersion: "v1",
          kind: "ConfigMapList",
          metadata: { resourceVersion: hub.configMap?.rv ?? "1" },
          items: hub.configMap ? [cmObject()] : [],
        });
      }
      json(404, { kind: "Status", code: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: "hub",
        server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        caData: Buffer.from(hubCA.cert).toString("base64"),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: "sa", token: SA_TOKEN }],
    contexts: [{ name: "hub", cluster: "hub", user: "sa" }],
    currentContext: "hub",
  });
});

afterAll(async () => {
  for (const w of hub.watches) w.res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function bearer(token: string): AuthnRequest {
  return { rawHeaders: ["Authorization", `Bearer ${token}`], headers: { authorization: `Bearer ${token}` } };
}

function silent() {
  return { info() {}, warn() {}, error() {}, debug() {}, child: () => silent() } as never;
}

describe("TokenReview on the hub", () => {
  it("authenticates with the hub's answer, sent with our own credentials, and caches allow and deny for 10 s", async () => {
    let clock = 0;
    hub.tokenReviews.length = 0;
    const authn = createAuthenticator(staticAuthConfig({}), kc, { now: () => clock });
    expect(await authn.authenticate(bearer("good"))).toEqual({
      name: "tok-user",
      uid: "42",
      groups: ["tok-group", "system:authenticated"],
      extra: { k: ["v"] },
    });
    expect(await authn.authenticate(bearer("good"))).not.toBeNull();
    expect(await authn.authenticate(bearer("bad"))).toBeNull();
    expect(await authn.authenticate(bearer("bad"))).toBeNull();
    expect(hub.tokenReviews.map((r) => r.spec.token)).toEqual(["good", "bad"]);
    expect(hub.tokenReviews[0]!.authorization).toBe(`Bearer ${SA_TOKEN}`);

    clock += 9_999;
    await authn.authenticate(bearer("good"));
    expect(hub.tokenReviews).toHaveLength(2);
    clock += 2;
    await authn.authenticate(bearer("good"));
    await authn.authenticate(bearer("bad"));
    expect(hub.tokenReviews).toHaveLength(4);
  });

  it("answers 401 (null) while the hub fails, without caching the failure", async () => {
    hub.tokenReviews.length = 0;
    const authn = createAuthenticator(staticAuthConfig({}), kc);
    hub.failNext = 1;
    expect(await authn.authenticate(bearer("good"))).toBeNull();
    expect((await authn.authenticate(bearer("good")))?.name).toBe("tok-user");
    expect(hub.tokenReviews).toHaveLength(1);
  });
});

describe("SubjectAccessReview on the hub", () => {
  const attrs: RequestAttributes = {
    isResourceRequest: true,
    verb: "list",
    path: "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/default/works",
    apiGroup: "multicluster.x-k8s.io",
    apiVersion: "v1alpha1",
    resource: "works",
    subresource: "",
    namespace: "default",
    name: "",
  };

  it("sends the review and caches the answer within the TTL", async () => {
    let clock = 0;
    hub.accessReviews.length = 0;
    const authz = createAuthorizer(kc, { now: () => clock });
    const alice = { name: "alice", groups: ["system:authenticated"], extra: {} };
    const bob = { name: "bob", groups: ["system:authenticated"], extra: {} };
    expect(await authz.authorize(alice, attrs)).toEqual({ allowed: true, reason: "" });
    expect(await authz.authorize(alice, attrs)).toEqual({ allowed: true, reason: "" });
    expect(await authz.authorize(bob, attrs)).toEqual({ allowed: false, reason: "no RBAC rule" });
    expect(await authz.authorize(bob, attrs)).toEqual({ allowed: false, reason: "no RBAC rule" });
    expect(hub.accessReviews).toHaveLength(2);
    expect(hub.accessReviews[0]!.spec).toEqual({
      user: "alice",
      groups: ["system:authenticated"],
      resourceAttributes: { namespace: "default", verb: "list", group: "multicluster.x-k8s.io", version: "v1alpha1", resource: "works" },
    });
    clock = 10_001;
    await authz.authorize(alice, attrs);
    expect(hub.accessReviews).toHaveLength(3);
  });

  it("rejects when the hub fails (the caller answers 500)", async () => {
    const authz = createAuthorizer(kc);
    hub.failNext = 1;
    await expect(authz.authorize({ name: "carol", groups: [], extra: {} }, attrs)).rejects.toThrow();
  });
});

describe("the auth ConfigMap, listed and watched", () => {
  it("loads, follows rotation, keeps the last good config on bad data, and relists after 410", async () => {
    const [ca1, ca2, ca3] = await Promise.all([createCA("client-1"), createCA("client-2"), createCA("front-proxy")]);
    hub.configMap = {
      rv: "10",
      data: {
        "client-ca-file": ca1.cert,
        "requestheader-client-ca-file": ca3.cert,
        "requestheader-allowed-names": '["front-proxy-client"]',
        "requestheader-username-headers": '["X-Remote-User"]',
        "requestheader-group-headers": '["X-Remote-Group"]',
        "requestheader-extra-headers-prefix": '["X-Remote-Extra-"]',
      },
    };
    hub.lists.length = 0;
    hub.watches.length = 0;
    const src = watchAuthConfig(kc, { logger: silent(), maxBackoffMs: 50 });
    try {
      expect(src.ready()).toBe(false);
      await src.whenReady();
      expect(src.ready()).toBe(true);
      expect(src.current().clientCA).toBe(ca1.cert);
      expect(src.current().requestHeader?.allowedNames).toEqual(["front-proxy-client"]);
      expect(hub.lists[0]!.get("fieldSelector")).toBe("metadata.name=extension-apiserver-authentication");

      await until(() => hub.watches.length === 1);
      const w = hub.watches[0]!;
      expect(w.query.get("fieldSelector")).toBe("metadata.name=extension-apiserver-authentication");
      expect(w.query.get("resourceVersion")).toBe("10");

      const changes: unknown[] = [];
      src.onChange((c) => changes.push(c));
      hub.configMap = { rv: "11", data: { ...hub.configMap.data, "client-ca-file": ca2.cert } };
      w.res.write(JSON.stringify({ type: "MODIFIED", object: cmObject() }) + "\n");
      await until(() => src.current().clientCA === ca2.cert);
      expect(changes).toHaveLength(1);

      // A broken update is refused; the rotation above stays in force.
      hub.configMap = { rv: "12", data: { ...hub.configMap.data, "requestheader-allowed-names": "not json" } };
      w.res.write(JSON.stringify({ type: "MODIFIED", object: cmObject() }) + "\n");
      await until(() => src.lastError !== undefined);
      expect(src.lastError).toMatch(/requestheader-allowed-names/);
      expect(src.current().clientCA).toBe(ca2.cert);

      // Too old: relist, then watch again.
      hub.configMap = { rv: "20", data: { ...hub.configMap.data, "requestheader-allowed-names": "[]", "client-ca-file": ca1.cert } };
      w.res.write(JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } }) + "\n");
      await until(() => hub.lists.length === 2 && hub.watches.length === 2);
      expect(src.current().clientCA).toBe(ca1.cert);
      expect(src.current().requestHeader?.allowedNames).toEqual([]);
      expect(hub.watches[1]!.query.get("resourceVersion")).toBe("20");

      // The server ends the watch (timeout): resume from the last resourceVersion, no relist.
      hub.watches[1]!.res.end();
      await until(() => hub.watches.length === 3);
      expect(hub.lists).toHaveLength(2);
      expect(hub.watches[2]!.query.get("resourceVersion")).toBe("20");
    } finally {
      src.stop();
    }
  });

  it("retries a failing list until it succeeds", async () => {
    hub.failNext = 2;
    hub.lists.length = 0;
    const src = watchAuthConfig(kc, { logger: silent(), maxBackoffMs: 20 });
    try {
      await src.whenReady();
      expect(src.ready()).toBe(true);
      expect(hub.lists).toHaveLength(1); // the two failed attempts answered before being recorded
    } finally {
      src.stop();
    }
  });
});
