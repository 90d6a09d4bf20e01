/** The x509 chain checks on their own: Go's x509.Certificate.Verify for clientAuth, as k8s uses it. */
import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { staticAuthConfig } from "../auth-config.js";
import { createCA, createCertificate, type PemKeyPair } from "../tls/mint.js";
import { ClientCertVerifier, parseCert, verifyClientChain, type ParsedCert } from "./x509.js";

const DAY = 86_400_000;
const now = Date.now();
const parsed = (pair: PemKeyPair): ParsedCert => parseCert(new X509Certificate(pair.cert).raw);
const peer = (...pairs: PemKeyPair[]) => pairs.map((p) => ({ raw: new X509Certificate(p.cert).raw, fingerprint256: new X509Certificate(p.cert).fingerprint256 }));

let root: PemKeyPair;
let otherRoot: PemKeyPair;
let intermediate: PemKeyPair;
let expiredIntermediate: PemKeyPair;
let leaf: PemKeyPair;
let viaIntermediate: PemKeyPair;
let viaExpiredIntermediate: PemKeyPair;
let expired: PemKeyPair;
let notYetValid: PemKeyPair;
let serverOnly: PemKeyPair;
let noEku: PemKeyPair;
let signedByLeaf: PemKeyPair;

beforeAll(async () => {
  [root, otherRoot] = await Promise.all([createCA("root"), createCA("other-root")]);
  [intermediate, expiredIntermediate] = await Promise.all([
    createCertificate({ commonName: "intermediate", isCA: true }, root),
    createCertificate({ commonName: "old-intermediate", isCA: true, notBefore: new Date(now - 10 * DAY), notAfter: new Date(now - DAY) }, root),
  ]);
  [leaf, viaIntermediate, viaExpiredIntermediate, expired, notYetValid, serverOnly, noEku] = await Promise.all([
    createCertificate({ commonName: "alice", organizations: ["dev"], usages: ["clientAuth"] }, root),
    createCertificate({ commonName: "bob", usages: ["clientAuth"] }, intermediate),
    createCertificate({ commonName: "carol", usages: ["clientAuth"] }, expiredIntermediate),
    createCertificate({ commonName: "old", usages: ["clientAuth"], notBefore: new Date(now - 10 * DAY), notAfter: new Date(now - DAY) }, root),
    createCertificate({ commonName: "future", usages: ["clientAuth"], notBefore: new Date(now + DAY), notAfter: new Date(now + 10 * DAY) }, root),
    createCertificate({ commonName: "server", usages: ["serverAuth"] }, root),
    createCertificate({ commonName: "any-use", usages: [] }, root),
  ]);
  signedByLeaf = await createCertificate({ commonName: "mallory", usages: ["clientAuth"] }, leaf);
});

describe("verifyClientChain", () => {
  it("accepts a leaf the root signed, with its subject and the validity of the whole path", () => {
    const v = verifyClientChain([parsed(leaf)], [parsed(root)], now);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.leaf.commonName).toBe("alice");
    expect(v.leaf.organizations).toEqual(["dev"]);
    expect(v.validTo).toBe(Math.min(parsed(leaf).notAfter, parsed(root).notAfter));
  });

  it("follows an intermediate the client sends, and fails without it", () => {
    expect(verifyClientChain([parsed(viaIntermediate), parsed(intermediate)], [parsed(root)], now).ok).toBe(true);
    expect(verifyClientChain([parsed(viaIntermediate)], [parsed(root)], now)).toEqual({ ok: false, reason: "x509: certificate signed by unknown authority" });
  });

  it("refuses a leaf from another root", () => {
    expect(verifyClientChain([parsed(leaf)], [parsed(otherRoot)], now)).toEqual({ ok: false, reason: "x509: certificate signed by unknown authority" });
  });

  it("refuses an expired or not yet valid leaf", () => {
    for (const c of [expired, notYetValid]) {
      expect(verifyClientChain([parsed(c)], [parsed(root)], now)).toEqual({ ok: false, reason: "x509: certificate has expired or is not yet valid" });
    }
  });

  it("refuses a path through an expired intermediate", () => {
    expect(verifyClientChain([parsed(viaExpiredIntermediate), parsed(expiredIntermediate)], [parsed(root)], now)).toEqual({
      ok: false,
      reason: "x509: a certificate in the chain has expired or is not yet valid",
    });
  });

  it("needs clientAuth (or no EKU extension at all)", () => {
    expect(verifyClientChain([parsed(serverOnly)], [parsed(root)], now)).toEqual({ ok: false, reason: "x509: certificate specifies an incompatible key usage" });
    expect(verifyClientChain([parsed(noEku)], [parsed(root)], now).ok).toBe(true);
  });

  it("does not let a leaf act as an intermediate (it is no CA)", () => {
    expect(verifyClientChain([parsed(signedByLeaf), parsed(leaf)], [parsed(root)], now).ok).toBe(false);
  });

  it("says when there is no certificate", () => {
    expect(verifyClientChain([], [parsed(root)], now)).toEqual({ ok: false, reason: "no client certificate" });
  });
});

describe("ClientCertVerifier", () => {
  it("checks the client CA and the requestheader CA apart", () => {
    const v = new ClientCertVerifier(() => now);
    const cfg = staticAuthConfig({ clientCA: root.cert }).current();
    expect(v.hasClientCA(cfg)).toBe(true);
    expect(v.verify(cfg, "client", peer(leaf)).ok).toBe(true);
    expect(v.verify(cfg, "requestheader", peer(leaf))).toEqual({ ok: false, reason: "no CA" });
  });

  it("reuses a verification only while the path is valid", () => {
    let clock = now;
    const v = new ClientCertVerifier(() => clock);
    const cfg = staticAuthConfig({ clientCA: root.cert }).current();
    expect(v.verify(cfg, "client", peer(leaf)).ok).toBe(true);
    clock = parsed(leaf).notAfter + 1;
    expect(v.verify(cfg, "client", peer(leaf))).toEqual({ ok: false, reason: "x509: certificate has expired or is not yet valid" });
  });
});
