import { X509Certificate } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http2 from "node:http2";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staticAuthConfig, type AuthConfig, type RequestHeaderConfig } from "../auth-config.js";
import { createAuthenticator } from "./chain.js";
import { pathUnescape } from "./request-header.js";
import type { AuthnRequest } from "./request.js";
import type { TokenReviewer, TokenReviewResult } from "./token-review.js";
import type { UserInfo } from "./user.js";
import { createCA, createCertificate, type PemKeyPair } from "../tls/mint.js";
import { loadServingCert } from "../tls/serving.js";

const DAY = 86_400_000;

/** A stand-in for a TLS socket: Node's detailed peer certificate, each linked to the next, the last to itself. */
function socketWith(...pems: string[]) {
  const detailed = pems.map((p) => {
    const c = new X509Certificate(p);
    return { raw: c.raw, fingerprint256: c.fingerprint256, issuerCertificate: undefined as unknown };
  });
  detailed.forEach((d, i) => (d.issuerCertificate = detailed[i + 1] ?? d));
  return { getPeerCertificate: () => detailed[0] ?? {} };
}

function request(headers: [string, string][], socket?: unknown): AuthnRequest & { headers: Record<string, unknown> } {
  const view: Record<string, unknown> = {};
  for (const [k, v] of headers) {
    const lk = k.toLowerCase();
    view[lk] = view[lk] === undefined ? v : `${String(view[lk])}, ${v}`;
  }
  return { rawHeaders: headers.flat(), headers: view, socket };
}

const noTokens: TokenReviewer = {
  reviewToken: () => Promise.reject(new Error("no TokenReview expected")),
};

let frontProxyCA: PemKeyPair;
let otherCA: PemKeyPair;
let clientCA: PemKeyPair;
let frontProxy: PemKeyPair; // CN front-proxy-client, from frontProxyCA
let forgedFrontProxy: PemKeyPair; // same CN, from otherCA
let unlistedProxy: PemKeyPair; // from frontProxyCA, CN not allowed
let alice: PemKeyPair; // client cert from clientCA: CN alice, O dev, ops
let expiredAlice: PemKeyPair;
let serverOnly: PemKeyPair; // from clientCA, EKU serverAuth only
let rhConfig: RequestHeaderConfig;
let config: AuthConfig;

beforeAll(async () => {
  [frontProxyCA, otherCA, clientCA] = await Promise.all([createCA("front-proxy-ca"), createCA("other-ca"), createCA("client-ca")]);
  const now = Date.now();
  [frontProxy, forgedFrontProxy, unlistedProxy, alice, expiredAlice, serverOnly] = await Promise.all([
    createCertificate({ commonName: "front-proxy-client", usages: ["clientAuth"] }, frontProxyCA),
    createCertificate({ commonName: "front-proxy-client", usages: ["clientAuth"] }, otherCA),
    createCertificate({ commonName: "mallory", usages: ["clientAuth"] }, frontProxyCA),
    createCertificate({ commonName: "alice", organizations: ["dev", "ops"], usages: ["clientAuth"] }, clientCA),
    createCertificate(
      { commonName: "alice", usages: ["clientAuth"], notBefore: new Date(now - 10 * DAY), notAfter: new Date(now - DAY) },
      clientCA,
    ),
    createCertificate({ commonName: "alice", usages: ["serverAuth"] }, clientCA),
  ]);
  rhConfig = {
    clientCA: frontProxyCA.cert,
    allowedNames: ["front-proxy-client"],
    usernameHeaders: ["X-Remote-User"],
    uidHeaders: ["X-Remote-Uid"],
    groupHeaders: ["X-Remote-Group"],
    extraHeaderPrefixes: ["X-Remote-Extra-"],
  };
  config = { clientCA: clientCA.cert, requestHeader: rhConfig };
});

const proxyHeaders: [string, string][] = [
  ["X-Remote-User", "bob"],
  ["X-Remote-Uid", "uid-1"],
  ["X-Remote-Group", "team-a"],
  ["X-Remote-Group", "team-b, still-one"],
  ["X-Remote-Extra-Scopes", "read"],
  ["x-remote-extra-scopes", "write"],
  ["X-Remote-Extra-Example.com%2fOrg", "acme"],
  ["X-Remote-Extra-Bad%zz", "kept"],
  ["Accept", "application/json"],
];

describe("requestheader (front proxy)", () => {
  it("ignores X-Remote-* headers without a client certificate, and strips them", async () => {
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    const req = request(proxyHeaders);
    const user = await authn.authenticate(req);
    expect(user).toEqual({ name: "system:anonymous", groups: ["system:unauthenticated"], extra: {} });
    expect(Object.keys(req.headers)).toEqual(["accept"]);
    expect(req.rawHeaders).toEqual(["Accept", "application/json"]);
  });

  it("ignores them with a certificate from another CA (401, never that user)", async () => {
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    const req = request(proxyHeaders, socketWith(forgedFrontProxy.cert));
    expect(await authn.authenticate(req)).toBeNull();
    expect(req.headers["x-remote-user"]).toBeUndefined();
  });

  it("ignores them when the certificate's CN is not an allowed name", async () => {
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    expect(await authn.authenticate(request(proxyHeaders, socketWith(unlistedProxy.cert)))).toBeNull();
  });

  it("accepts any CN from the CA when allowed names are empty", async () => {
    const authn = createAuthenticator(staticAuthConfig({ requestHeader: { ...rhConfig, allowedNames: [] } }), noTokens);
    const user = await authn.authenticate(request([["X-Remote-User", "bob"]], socketWith(unlistedProxy.cert)));
    expect(user?.name).toBe("bob");
  });

  it("with a valid front-proxy certificate, reads user, uid, repeated groups and unescaped extra", async () => {
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    const req = request(proxyHeaders, socketWith(frontProxy.cert));
    const user = await authn.authenticate(req);
    expect(user).toEqual<UserInfo>({
      name: "bob",
      uid: "uid-1",
      groups: ["team-a", "team-b, still-one", "system:authenticated"],
      extra: { scopes: ["read", "write"], "example.com/org": ["acme"], "bad%zz": ["kept"] },
    });
    // Handlers never see the identity headers.
    expect(Object.keys(req.headers)).toEqual(["accept"]);
  });

  it("does not add system:authenticated twice, nor to a user the proxy marks unauthenticated", async () => {
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    const sock = socketWith(frontProxy.cert);
    const u1 = await authn.authenticate(request([["X-Remote-User", "a"], ["X-Remote-Group", "system:authenticated"]], sock));
    expect(u1?.groups).toEqual(["system:authenticated"]);
    const u2 = await authn.authenticate(request([["X-Remote-User", "system:anonymous"]], sock));
    expect(u2?.groups).toEqual([]);
  });

  it("a front-proxy certificate without a username header is no identity (and not a client certificate)", async () => {
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    expect(await authn.authenticate(request([["X-Remote-Group", "g"]], socketWith(frontProxy.cert)))).toBeNull();
  });

  it("verifies per CA: a client-ca certificate does not make X-Remote-User count", async () => {
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    const user = await authn.authenticate(request(proxyHeaders, socketWith(alice.cert)));
    expect(user?.name).toBe("alice");
  });

  it("trusts every CA of a bundle, and follows an intermediate the client sends", async () => {
    const inter = await createCertificate({ commonName: "front-proxy-intermediate", isCA: true }, frontProxyCA);
    const viaInter = await createCertificate({ commonName: "front-proxy-client", usages: ["clientAuth"] }, inter);
    const bundle = { ...config, requestHeader: { ...rhConfig, clientCA: otherCA.cert + frontProxyCA.cert } };
    const authn = createAuthenticator(staticAuthConfig(bundle), noTokens);
    expect((await authn.authenticate(request([["X-Remote-User", "bob"]], socketWith(viaInter.cert, inter.cert))))?.name).toBe("bob");
    expect((await authn.authenticate(request([["X-Remote-User", "bob"]], socketWith(frontProxy.cert))))?.name).toBe("bob");
    // Without the intermediate the chain does not reach a root.
    expect(await authn.authenticate(request([["X-Remote-User", "bob"]], socketWith(viaInter.cert)))).toBeNull();
  });

  it("rejects an expired front-proxy certificate", async () => {
    const now = Date.now();
    const old = await createCertificate(
      { commonName: "front-proxy-client", usages: ["clientAuth"], notBefore: new Date(now - 3 * DAY), notAfter: new Date(now - DAY) },
      frontProxyCA,
    );
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    expect(await authn.authenticate(request(proxyHeaders, socketWith(old.cert)))).toBeNull();
  });

  it("CA rotation swaps trust without a restart, and expiry is checked on cached verifications", async () => {
    let clock = Date.now();
    const source = staticAuthConfig(config);
    const authn = createAuthenticator(source, noTokens, { now: () => clock });
    const fromOther = socketWith(forgedFrontProxy.cert);
    const fromFront = socketWith(frontProxy.cert);
    expect((await authn.authenticate(request([["X-Remote-User", "bob"]], fromFront)))?.name).toBe("bob");
    expect(await authn.authenticate(request([["X-Remote-User", "bob"]], fromOther))).toBeNull();

    source.set({ ...config, requestHeader: { ...rhConfig, clientCA: otherCA.cert } });
    expect((await authn.authenticate(request([["X-Remote-User", "bob"]], fromOther)))?.name).toBe("bob");
    expect(await authn.authenticate(request([["X-Remote-User", "bob"]], fromFront))).toBeNull();

    clock += 2 * 365 * DAY; // past the leaf's notAfter: a cached success must not outlive it
    expect(await authn.authenticate(request([["X-Remote-User", "bob"]], fromOther))).toBeNull();
  });
});

describe("client certificates", () => {
  it("authenticates CN as the user and O as groups", async () => {
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    expect(await authn.authenticate(request([], socketWith(alice.cert)))).toEqual({
      name: "alice",
      groups: ["dev", "ops", "system:authenticated"],
      extra: {},
    });
  });

  it("rejects expired certificates, certificates without clientAuth, and those from unknown CAs", async () => {
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    expect(await authn.authenticate(request([], socketWith(expiredAlice.cert)))).toBeNull();
    expect(await authn.authenticate(request([], socketWith(serverOnly.cert)))).toBeNull();
    const stranger = await createCertificate({ commonName: "alice", usages: ["clientAuth"] }, otherCA);
    expect(await authn.authenticate(request([], socketWith(stranger.cert)))).toBeNull();
  });

  it("accepts a certificate without any EKU extension (valid for any use)", async () => {
    const anyUse = await createCertificate({ commonName: "carol", usages: [] }, clientCA);
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    expect((await authn.authenticate(request([], socketWith(anyUse.cert))))?.name).toBe("carol");
  });

  it("without a client CA configured, a certificate is ignored (anonymous)", async () => {
    const authn = createAuthenticator(staticAuthConfig({}), noTokens);
    expect((await authn.authenticate(request([], socketWith(alice.cert))))?.name).toBe("system:anonymous");
  });
});

describe("bearer tokens", () => {
  function countingReviewer() {
    const calls: string[] = [];
    const reviewer: TokenReviewer = {
      async reviewToken(token): Promise<TokenReviewResult> {
        calls.push(token);
        if (token === "good") return { authenticated: true, user: { name: "tok", groups: ["g"], extra: { k: ["v"] } } };
        return { authenticated: false, error: "token expired" };
      },
    };
    return { calls, reviewer };
  }

  it("authenticates through TokenReview, strips Authorization, and caches both answers for the TTL", async () => {
    let clock = 1_000_000;
    const { calls, reviewer } = countingReviewer();
    const authn = createAuthenticator(staticAuthConfig(config), reviewer, { now: () => clock, tokenCacheTTLMs: 10_000 });
    const req = request([["Authorization", "Bearer good"], ["Accept", "*/*"]]);
    expect(await authn.authenticate(req)).toEqual({ name: "tok", groups: ["g", "system:authenticated"], extra: { k: ["v"] } });
    expect(req.headers.authorization).toBeUndefined();
    expect(req.rawHeaders).toEqual(["Accept", "*/*"]);
    await authn.authenticate(request([["Authorization", "Bearer good"]]));
    expect(await authn.authenticate(request([["Authorization", "Bearer bad"]]))).toBeNull();
    expect(await authn.authenticate(request([["Authorization", "bearer bad"]]))).toBeNull();
    expect(calls).toEqual(["good", "bad"]);
    clock += 10_001;
    await authn.authenticate(request([["Authorization", "Bearer good"]]));
    expect(calls).toEqual(["good", "bad", "good"]);
  });

  it("asks the hub once for concurrent requests with the same token, and does not cache errors", async () => {
    let calls = 0;
    let fail = true;
    const reviewer: TokenReviewer = {
      async reviewToken() {
        calls++;
        await new Promise((r) => setImmediate(r)); // the others ask meanwhile
        if (fail) throw new Error("hub down");
        return { authenticated: true, user: { name: "tok", groups: [], extra: {} } };
      },
    };
    const authn = createAuthenticator(staticAuthConfig({}), reviewer);
    const rs = await Promise.all([1, 2, 3].map(() => authn.authenticate(request([["Authorization", "Bearer t"]]))));
    expect(rs).toEqual([null, null, null]);
    expect(calls).toBe(1);
    fail = false;
    expect((await authn.authenticate(request([["Authorization", "Bearer t"]])))?.name).toBe("tok");
    expect(calls).toBe(2);
  });

  it("ignores other schemes (anonymous), and a valid front proxy wins over a token", async () => {
    const { calls, reviewer } = countingReviewer();
    const authn = createAuthenticator(staticAuthConfig(config), reviewer);
    expect((await authn.authenticate(request([["Authorization", "Basic Zm9vOmJhcg=="]])))?.name).toBe("system:anonymous");
    expect((await authn.authenticate(request([["Authorization", "Bearer "]])))?.name).toBe("system:anonymous");
    const user = await authn.authenticate(request([["X-Remote-User", "bob"], ["Authorization", "Bearer good"]], socketWith(frontProxy.cert)));
    expect(user?.name).toBe("bob");
    expect(calls).toEqual([]);
  });
});

describe("pathUnescape", () => {
  it("decodes %XX as bytes (UTF-8) and leaves malformed input as it is", () => {
    expect(pathUnescape("a%2fb")).toBe("a/b");
    expect(pathUnescape("caf%C3%A9")).toBe("café");
    expect(pathUnescape("a+b")).toBe("a+b");
    expect(pathUnescape("bad%2")).toBe("bad%2");
  });
});

describe("over real TLS (HTTP/2 and HTTP/1.1 on one port)", () => {
  let dir: string;
  let server: http2.Http2SecureServer;
  let port: number;
  let serverCA: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "authn-tls-"));
    const serving = await loadServingCert({ certDir: dir, logger: silent() });
    serverCA = serving.caBundle!;
    const authn = createAuthenticator(staticAuthConfig(config), noTokens);
    server = http2.createSecureServer(serving.serverOptions(), (req, res) => {
      void authn.authenticate(req).then((user) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ user, headers: req.headers, raw: req.rawHeaders }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  type Answer = { user: UserInfo | null; headers: Record<string, unknown>; raw: string[] };

  function viaHttp2(client: PemKeyPair | undefined): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const session = http2.connect(`https://127.0.0.1:${port}`, { ca: serverCA, ...(client ?? {}) });
      session.on("error", reject);
      const stream = session.request({
        ":path": "/apis/x",
        "x-remote-user": "bob",
        "x-remote-group": ["team-a", "team-b"],
        "x-remote-extra-scopes": ["read", "write"],
      });
      let body = "";
      stream.setEncoding("utf8");
      stream.on("data", (d: string) => (body += d));
      stream.on("end", () => {
        session.close();
        resolve(JSON.parse(body) as Answer);
      });
      stream.on("error", reject);
      stream.end();
    });
  }

  function viaHttp1(client: PemKeyPair | undefined): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: "127.0.0.1",
          port,
          path: "/apis/x",
          ca: serverCA,
          ...(client ?? {}),
          agent: false,
          headers: { "X-Remote-User": "bob", "X-Remote-Group": ["team-a", "team-b"], "X-Remote-Extra-Scopes": ["read", "write"] },
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (body += d));
          res.on("end", () => resolve(JSON.parse(body) as Answer));
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  for (const [proto, call] of [
    ["HTTP/2", viaHttp2],
    ["HTTP/1.1", viaHttp1],
  ] as const) {
    it(`${proto}: the front-proxy certificate's chain reaches authn, repeated headers stay separate`, async () => {
      const a = await call(frontProxy);
      expect(a.user).toEqual({
        name: "bob",
        groups: ["team-a", "team-b", "system:authenticated"],
        extra: { scopes: ["read", "write"] },
      });
      expect(Object.keys(a.headers).filter((h) => h.startsWith("x-remote"))).toEqual([]);
      expect(a.raw.filter((h) => h.toLowerCase().startsWith("x-remote"))).toEqual([]);
    });

    it(`${proto}: without a client certificate the headers are ignored`, async () => {
      const a = await call(undefined);
      expect(a.user?.name).toBe("system:anonymous");
    });

    it(`${proto}: a certificate from another CA is refused`, async () => {
      expect((await call(forgedFrontProxy)).user).toBeNull();
    });
  }
});

function silent() {
  return { info() {}, warn() {}, error() {}, debug() {}, child: () => silent() } as never;
}
