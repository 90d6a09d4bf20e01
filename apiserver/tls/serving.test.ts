import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { SecureContextOptions } from "node:tls";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCA, createCertificate } from "./mint.js";
import { CertificateError, parseCertificateBundle } from "./pem.js";
import { loadServingCert, servingHosts } from "./serving.js";
import { until } from "../../testing/until.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "tls-test-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function quiet() {
  const warnings: string[] = [];
  const logger = {
    info() {},
    debug() {},
    error(_o: unknown, m?: string) {
      warnings.push(String(m));
    },
    warn(_o: unknown, m?: string) {
      warnings.push(String(m));
    },
    child: () => logger,
  };
  return { logger: logger as never, warnings };
}

describe("self-signed serving certificate", () => {
  it("covers the Service names and loopback, chains to the CA it reports, and survives a restart", async () => {
    const certDir = path.join(dir, "certs");
    const first = await loadServingCert({ certDir, serviceName: "api", namespace: "clusterset", logger: quiet().logger });
    const leaf = new X509Certificate(first.current().cert);
    for (const h of ["localhost", "api.clusterset.svc", "api.clusterset.svc.cluster.local"]) {
      expect(leaf.checkHost(h, { wildcards: false }), h).toBe(h);
    }
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    const ca = new X509Certificate(first.caBundle!);
    expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
    expect(first.certFile).toBe(path.join(certDir, "apiserver.crt"));

    const again = await loadServingCert({ certDir, serviceName: "api", namespace: "clusterset", logger: quiet().logger });
    expect(again.current()).toEqual(first.current());
    expect(again.caBundle).toBe(first.caBundle);
  });

  it("issues a new serving certificate from the same CA when the names change", async () => {
    const first = await loadServingCert({ certDir: dir, serviceName: "api", namespace: "a", logger: quiet().logger });
    const second = await loadServingCert({ certDir: dir, serviceName: "api", namespace: "b", logger: quiet().logger });
    expect(second.current().cert).not.toBe(first.current().cert);
    expect(second.caBundle).toBe(first.caBundle);
    expect(new X509Certificate(second.current().cert).checkHost("api.b.svc")).toBe("api.b.svc");
  });

  it("lists the names it signs for", () => {
    expect(servingHosts("s", "ns")).toEqual(
      expect.arrayContaining(["localhost", "127.0.0.1", "s.ns.svc", "s.ns.svc.cluster.local"]),
    );
  });

  it("offers server options that request but never require a client certificate", async () => {
    const sc = await loadServingCert({ certDir: dir, logger: quiet().logger });
    const o = sc.serverOptions();
    expect(o).toMatchObject({ allowHTTP1: true, requestCert: true, rejectUnauthorized: false });
    expect(o.cert).toBe(sc.current().cert);
    expect(o.key).toBe(sc.current().key);
    expect(o.ca).toBeUndefined(); // no CA hint list: Go clients then send their certificate whatever its CA
  });
});

describe("certificate files", () => {
  async function writePair(name: string, pair: { cert: string; key: string }) {
    const certFile = path.join(dir, `${name}.crt`);
    const keyFile = path.join(dir, `${name}.key`);
    await writeFile(certFile, pair.cert);
    await writeFile(keyFile, pair.key);
    return { certFile, keyFile };
  }

  it("loads a valid pair and has no caBundle of its own", async () => {
    const ca = await createCA("ca");
    const pair = await createCertificate({ commonName: "x", hosts: ["x.example"] }, ca);
    const files = await writePair("serving", pair);
    const sc = await loadServingCert({ ...files, logger: quiet().logger });
    expect(sc.current()).toEqual(pair);
    expect(sc.caBundle).toBeUndefined();
  });

  it("fails with a clear message for missing, garbage and mismatched files", async () => {
    const ca = await createCA("ca");
    const a = await createCertificate({ commonName: "a" }, ca);
    const b = await createCertificate({ commonName: "b" }, ca);
    const good = await writePair("a", a);
    const missing = path.join(dir, "nope.crt");

    await expect(loadServingCert({ certFile: missing, keyFile: good.keyFile })).rejects.toThrow(
      new RegExp(`cannot read --tls-cert-file "${missing}": ENOENT`),
    );
    await writeFile(path.join(dir, "junk.crt"), "not a certificate");
    await expect(loadServingCert({ certFile: path.join(dir, "junk.crt"), keyFile: good.keyFile })).rejects.toThrow(
      /--tls-cert-file ".*junk.crt" holds no PEM certificate/,
    );
    await writeFile(path.join(dir, "bad.crt"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    await expect(loadServingCert({ certFile: path.join(dir, "bad.crt"), keyFile: good.keyFile })).rejects.toThrow(
      /certificate 1 is invalid/,
    );
    await writeFile(path.join(dir, "junk.key"), "not a key");
    await expect(loadServingCert({ certFile: good.certFile, keyFile: path.join(dir, "junk.key") })).rejects.toThrow(
      /--tls-private-key-file ".*junk.key" holds no valid private key/,
    );
    const other = await writePair("b", b);
    const err = await loadServingCert({ certFile: good.certFile, keyFile: other.keyFile }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CertificateError);
    expect((err as Error).message).toMatch(/does not match the certificate in --tls-cert-file/);
    expect((err as Error).message).not.toContain("PRIVATE KEY");

    await expect(loadServingCert({ certFile: good.certFile })).rejects.toThrow(/must be given together/);
  });

  it("reloads a rotated pair, and keeps the old one while the new files do not match", async () => {
    const ca = await createCA("ca");
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((cn) => createCertificate({ commonName: cn }, ca)));
    const files = await writePair("serving", a!);
    const { logger, warnings } = quiet();
    const sc = await loadServingCert({ ...files, logger });
    const seen: SecureContextOptions[] = [];
    const stop = sc.watch((o) => seen.push(o), 20);
    try {
      // Half-written rotation: new cert, old key.
      await writeFile(files.certFile, b!.cert);
      await until(() => warnings.length > 0);
      expect(seen).toEqual([]);
      expect(sc.current()).toEqual(a);
      expect(warnings[0]).toMatch(/not reloaded: .*does not match/);

      await writeFile(files.keyFile, b!.key);
      await until(() => seen.length === 1);
      expect(seen[0]).toMatchObject({ cert: b!.cert, key: b!.key });
      expect(sc.serverOptions().cert).toBe(b!.cert);

      await writeFile(files.certFile, c!.cert);
      await writeFile(files.keyFile, c!.key);
      await until(() => seen.length === 2);
      expect(await readFile(files.certFile, "utf8")).toBe(sc.current().cert);
    } finally {
      stop();
    }
  });
});

describe("parseCertificateBundle", () => {
  it("returns every certificate of a bundle", async () => {
    const [a, b] = await Promise.all([createCA("a"), createCA("b")]);
    const certs = parseCertificateBundle(a.cert + "\n" + b.cert, "bundle");
    expect(certs.map((c) => c.subject)).toEqual(["CN=a", "CN=b"]);
  });
});

