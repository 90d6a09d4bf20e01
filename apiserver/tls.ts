/**
 * The serving certificate, and the small certificate toolkit the rest of the security code shares.
 *
 * - `loadServingCert`: `--tls-cert-file`/`--tls-private-key-file` when given; otherwise a self-signed CA and a
 *   serving certificate for the names the hub dials (`<service>.<namespace>.svc`), kept in a cert dir so that a
 *   restart serves the same certificate (the APIService `caBundle` stays valid).
 * - `ServingCert.watch`: polls the files and hands a fresh secure context to `server.setSecureContext`, so a
 *   rotated certificate (cert-manager, a re-mounted Secret) is served without a restart.
 * - `createCertificate`: CAs and leaf certificates with @peculiar/x509 (self-signing here, fixtures in tests).
 *
 * TLS only *requests* a client certificate and never rejects one: which CA a certificate must chain to depends
 * on how it is used (front proxy or client-ca), so authn.ts verifies it in code, per CA.
 */
import { createPrivateKey, webcrypto, X509Certificate, type KeyObject } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";
import type { SecureServerOptions } from "node:http2";
import type { SecureContextOptions } from "node:tls";
// @peculiar/x509 2.x registers its classes with tsyringe, which needs the Reflect metadata API at load.
import "reflect-metadata";
import type * as X509 from "@peculiar/x509";
import { log as rootLog, type Logger } from "../log.js";

/**
 * @peculiar/x509, loaded after reflect-metadata (a static import could be hoisted above it). Other modules take
 * it from here rather than importing the package themselves.
 */
export const x509: typeof X509 = await import("@peculiar/x509");
// Node 20 has WebCrypto on globalThis, but say so explicitly: @peculiar/x509 needs a provider to sign.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);


const subtle = webcrypto.subtle;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A certificate (maybe followed by its chain) and its private key, both PEM. */
export interface PemKeyPair {
  cert: string;
  key: string;
}

export class CertificateError extends Error {
  override name = "CertificateError";
}

// ---------------------------------------------------------------------------------------------------------------
// PEM helpers

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Every certificate of a PEM bundle, in order. Throws CertificateError (naming `what`) when the text holds no
 * certificate or one that does not parse: a half-valid CA bundle is a configuration error, not a smaller bundle.
 */
export function parseCertificateBundle(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new CertificateError(`${what} holds no PEM certificate`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new CertificateError(`${what}: certificate ${i + 1} is invalid: ${errorText(err)}`);
    }
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------------------------
// Generating certificates

export type KeyPurpose = "serverAuth" | "clientAuth";

export interface CertificateSpec {
  commonName: string;
  /** Subject O values; for client certificates these are the user's groups. */
  organizations?: string[];
  /** Subject alternative names: DNS names and IP addresses mixed; each is sorted by its form. */
  hosts?: string[];
  /** A CA certificate (basicConstraints CA, keyCertSign) instead of a leaf. */
  isCA?: boolean;
  /** Extended key usages of a leaf; default serverAuth. Empty: no EKU extension at all (valid for any use). */
  usages?: KeyPurpose[];
  /** Default: an hour ago (clock skew between us and the hub). */
  notBefore?: Date;
  /** Default: 10 years for a CA, 1 year for a leaf. */
  notAfter?: Date;
}

const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;

/**
 * Creates a certificate with a fresh ECDSA P-256 key, signed by `issuer` or, without one, by itself.
 * `issuer` may hold an EC (P-256/P-384) or RSA key in PKCS#8, SEC1 or PKCS#1 PEM.
 */
export async function createCertificate(spec: CertificateSpec, issuer?: PemKeyPair): Promise<PemKeyPair> {
  const keys = (await subtle.generateKey(EC_P256, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const notBefore = spec.notBefore ?? new Date(now - HOUR);
  const notAfter = spec.notAfter ?? new Date(now + (spec.isCA ? 3650 : 365) * DAY);
  const subject = subjectName(spec.commonName, spec.organizations ?? []);

  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(spec.isCA === true, undefined, true),
    new x509.KeyUsagesExtension(
      spec.isCA
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as CryptoKey),
  ];
  const usages = spec.usages ?? (spec.isCA ? [] : ["serverAuth"]);
  if (usages.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(usages.map((u) => x509.ExtendedKeyUsage[u])));
  }
  if (spec.hosts && spec.hosts.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        spec.hosts.map((h) => ({ type: isIP(h) ? ("ip" as const) : ("dns" as const), value: h })),
      ),
    );
  }

  let cert: X509.X509Certificate;
  if (issuer) {
    const issuerCert = new x509.X509Certificate(firstPemCertificate(issuer.cert));
    const signer = await importSigningKey(issuer.key);
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey));
    cert = await x509.X509CertificateGenerator.create({
      subject,
      issuer: issuerCert.subjectName.toJSON(),
      notBefore,
      notAfter,
      extensions,
      publicKey: keys.publicKey as unknown as CryptoKey,
      signingKey: signer.key as unknown as CryptoKey,
      signingAlgorithm: signer.algorithm,
    });
  } else {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: subject,
      notBefore,
      notAfter,
      extensions,
      keys: keys as unknown as CryptoKeyPair,
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
    });
  }
  const pkcs8 = await subtle.exportKey("pkcs8", keys.privateKey);
  return { cert: cert.toString("pem") + "\n", key: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n" };
}

/** A self-signed CA. */
export function createCA(commonName: string, spec: Omit<CertificateSpec, "commonName" | "isCA"> = {}): Promise<PemKeyPair> {
  return createCertificate({ ...spec, commonName, isCA: true });
}

function subjectName(commonName: string, organizations: string[]): X509.JsonName {
  // One RDN per value, organizations first, as Go's pkix.Name writes them.
  return [...organizations.map((o) => ({ O: [o] })), { CN: [commonName] }];
}

function firstPemCertificate(pem: string): string {
  const first = pem.match(PEM_CERT)?.[0];
  if (!first) throw new CertificateError("issuer holds no PEM certificate");
  return first;
}

/** Imports a PEM private key into WebCrypto for signing, whatever its PEM flavour (OpenSSL writes several). */
async function importSigningKey(
  pem: string,
): Promise<{ key: webcrypto.CryptoKey; algorithm: Algorithm | EcdsaParams }> {
  const ko: KeyObject = createPrivateKey(pem);
  const der = ko.export({ format: "der", type: "pkcs8" });
  if (ko.asymmetricKeyType === "ec") {
    const curve = ko.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === "prime256v1" ? "P-256" : curve === "secp384r1" ? "P-384" : undefined;
    if (!namedCurve) throw new CertificateError(`unsupported issuer key curve ${curve ?? "?"}`);
    const key = await subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve }, false, ["sign"]);
    return { key, algorithm: { name: "ECDSA", hash: namedCurve === "P-256" ? "SHA-256" : "SHA-384" } as EcdsaParams };
  }
  if (ko.asymmetricKeyType === "rsa") {
    const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const key = await subtle.importKey("pkcs8", der, alg, false, ["sign"]);
    return { key, algorithm: alg };
  }
  throw new CertificateError(`unsupported issuer key type ${ko.asymmetricKeyType ?? "?"}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The serving certificate

export interface ServingCertOptions {
  /** `--tls-cert-file`: the serving certificate, optionally followed by its chain. */
  certFile?: string;
  /** `--tls-private-key-file`. Given together with certFile, or neither. */
  keyFile?: string;
  /** Where a self-signed certificate is kept across restarts. Default as kube's `--cert-dir`. */
  certDir?: string;
  /** Our Service, for the SANs the hub dials: `<service>.<namespace>.svc`. */
  serviceName?: string;
  namespace?: string;
  /** More DNS names or IPs for a self-signed certificate (a node name, a bind address). */
  alternateNames?: string[];
  logger?: Logger;
}

export const DEFAULT_CERT_DIR = "apiserver.local.config/certificates";

/** The names a self-signed serving certificate covers. */
export function servingHosts(serviceName: string, namespace: string, alternateNames: string[] = []): string[] {
  const svc = `${serviceName}.${namespace}.svc`;
  const hosts = ["localhost", "127.0.0.1", "::1", serviceName, `${serviceName}.${namespace}`, svc, `${svc}.cluster.local`];
  return [...new Set([...hosts, ...alternateNames])];
}

export interface ServingCert {
  /** Files the certificate was read from (for a self-signed one: inside the cert dir). */
  readonly certFile: string;
  readonly keyFile: string;
  /** The self-signed CA (PEM), for an APIService `caBundle`; undefined when the files were given. */
  readonly caBundle: string | undefined;
  /** The certificate now served. */
  current(): PemKeyPair;
  /** Everything a secure context needs; also what `server.setSecureContext` takes after a reload. */
  contextOptions(): SecureContextOptions;
  /**
   * Options for `http2.createSecureServer`: HTTP/2 and HTTP/1.1 on one port (ALPN), and a client certificate
   * requested but never required nor checked by TLS (authn.ts checks it per CA).
   */
  serverOptions(): SecureServerOptions;
  /**
   * Polls the files and calls `onChange` with new context options when a valid new pair appears:
   * `cert.watch((opts) => server.setSecureContext(opts))`. An invalid or half-written pair is logged and the
   * old one kept. Returns a function that stops watching.
   */
  watch(onChange: (options: SecureContextOptions) => void, intervalMs?: number): () => void;
}

/**
 * Loads the serving certificate from files, or self-signs one into the cert dir (reusing what an earlier run
 * wrote when it still covers the names and is not about to expire). Throws CertificateError with a message fit
 * for the command line when a file is unreadable or invalid.
 */
export async function loadServingCert(opts: ServingCertOptions = {}): Promise<ServingCert> {
  const logger = opts.logger ?? rootLog.child({ component: "tls" });
  if (Boolean(opts.certFile) !== Boolean(opts.keyFile)) {
    throw new CertificateError("--tls-cert-file and --tls-private-key-file must be given together");
  }
  let certFile: string;
  let keyFile: string;
  let caBundle: string | undefined;
  if (opts.certFile && opts.keyFile) {
    certFile = opts.certFile;
    keyFile = opts.keyFile;
  } else {
    const dir = opts.certDir ?? DEFAULT_CERT_DIR;
    const hosts = servingHosts(opts.serviceName ?? "clusterset-apiserver", opts.namespace ?? "default", opts.alternateNames);
    caBundle = await ensureSelfSigned(dir, hosts, logger);
    certFile = path.join(dir, "apiserver.crt");
    keyFile = path.join(dir, "apiserver.key");
  }

  let pair = await readPair(certFile, keyFile);
  warnIfExpired(pair, certFile, logger);

  const contextOptions = (): SecureContextOptions => ({ cert: pair.cert, key: pair.key, minVersion: "TLSv1.2" });
  return {
    certFile,
    keyFile,
    caBundle,
    current: () => pair,
    contextOptions,
    serverOptions: () => ({ ...contextOptions(), allowHTTP1: true, requestCert: true, rejectUnauthorized: false }),
    watch(onChange, intervalMs = 1000) {
      let busy = false;
      let lastBad = "";
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        void (async () => {
          let raw: PemKeyPair;
          try {
            raw = { cert: await readFile(certFile, "utf8"), key: await readFile(keyFile, "utf8") };
          } catch {
            return; // a Secret volume mid-swap; the next tick sees the new files
          }
          if (raw.cert === pair.cert && raw.key === pair.key) return;
          try {
            validatePair(raw, certFile, keyFile);
          } catch (err) {
            const msg = errorText(err);
            if (msg !== lastBad) logger.warn({ certFile }, `serving certificate not reloaded: ${msg}`);
            lastBad = msg;
            return;
          }
          lastBad = "";
          pair = raw;
          warnIfExpired(pair, certFile, logger);
          logger.info({ certFile, ...describe(pair.cert) }, "serving certificate reloaded");
          try {
            onChange(contextOptions());
          } catch (err) {
            logger.error({ certFile, err: errorText(err) }, "could not install the reloaded serving certificate");
          }
        })().finally(() => {
          busy = false;
        });
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

async function readPair(certFile: string, keyFile: string): Promise<PemKeyPair> {
  const read = async (file: string, flag: string) => {
    try {
      return await readFile(file, "utf8");
    } catch (err) {
      throw new CertificateError(`cannot read ${flag} ${JSON.stringify(file)}: ${errorText(err)}`);
    }
  };
  const pair = { cert: await read(certFile, "--tls-cert-file"), key: await read(keyFile, "--tls-private-key-file") };
  validatePair(pair, certFile, keyFile);
  return pair;
}

/** Throws CertificateError unless the PEM pair parses and the key belongs to the (first) certificate. */
function validatePair(pair: PemKeyPair, certFile: string, keyFile: string): void {
  const [leaf] = parseCertificateBundle(pair.cert, `--tls-cert-file ${JSON.stringify(certFile)}`);
  let key: KeyObject;
  try {
    key = createPrivateKey(pair.key);
  } catch (err) {
    // The error names the format problem, never the key's content.
    throw new CertificateError(`--tls-private-key-file ${JSON.stringify(keyFile)} holds no valid private key: ${errorText(err)}`);
  }
  if (!leaf!.checkPrivateKey(key)) {
    throw new CertificateError(
      `--tls-private-key-file ${JSON.stringify(keyFile)} does not match the certificate in --tls-cert-file ${JSON.stringify(certFile)}`,
    );
  }
}

function describe(certPem: string): { subject: string; notAfter: string } {
  const c = new X509Certificate(certPem);
  return { subject: c.subject.replace(/\n/g, ", "), notAfter: new Date(c.validTo).toISOString() };
}

function warnIfExpired(pair: PemKeyPair, certFile: string, logger: Logger): void {
  const c = new X509Certificate(pair.cert);
  const now = Date.now();
  if (Date.parse(c.validTo) < now || Date.parse(c.validFrom) > now) {
    logger.warn({ certFile, validFrom: c.validFrom, validTo: c.validTo }, "serving certificate is not valid now");
  }
}

/**
 * Makes sure `dir` holds a CA and a serving certificate for `hosts`; returns the CA PEM. Reuses the serving
 * certificate while it covers every host and has 30 days left, and the CA while it has a year left, so the
 * `caBundle` registered with the hub keeps working across restarts.
 */
async function ensureSelfSigned(dir: string, hosts: string[], logger: Logger): Promise<string> {
  const files = {
    caCert: path.join(dir, "ca.crt"),
    caKey: path.join(dir, "ca.key"),
    cert: path.join(dir, "apiserver.crt"),
    key: path.join(dir, "apiserver.key"),
  };
  const now = Date.now();
  let ca = await tryReadPair(files.caCert, files.caKey);
  if (ca && !usableUntil(ca.cert, now + 365 * DAY)) ca = undefined;
  const serving = ca ? await tryReadPair(files.cert, files.key) : undefined;
  if (ca && serving && usableUntil(serving.cert, now + 30 * DAY) && covers(serving.cert, hosts) && issuedBy(serving.cert, ca.cert)) {
    logger.info({ dir }, "using the self-signed serving certificate from an earlier run");
    return ca.cert;
  }

  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (!ca) {
      ca = await createCA(`clusterset-apiserver-ca@${Math.floor(now / 1000)}`);
      await writeAtomic(files.caKey, ca.key, 0o600);
      await writeAtomic(files.caCert, ca.cert, 0o644);
    }
    const leaf = await createCertificate({ commonName: hosts.find((h) => h.endsWith(".svc")) ?? "localhost", hosts, usages: ["serverAuth"] }, ca);
    // Serve the chain, as kube's self-signed certificates do: clients that trust the CA verify either way.
    await writeAtomic(files.key, leaf.key, 0o600);
    await writeAtomic(files.cert, leaf.cert + ca.cert, 0o644);
  } catch (err) {
    if (err instanceof CertificateError) throw err;
    throw new CertificateError(`cannot write a self-signed serving certificate to ${JSON.stringify(dir)}: ${errorText(err)}`);
  }
  logger.info({ dir, hosts }, "generated a self-signed serving certificate");
  return ca.cert;
}

async function tryReadPair(certFile: string, keyFile: string): Promise<PemKeyPair | undefined> {
  try {
    const pair = { cert: await readFile(certFile, "utf8"), key: await readFile(keyFile, "utf8") };
    validatePair(pair, certFile, keyFile);
    return pair;
  } catch {
    return undefined; // absent or damaged: make a new one
  }
}

function usableUntil(certPem: string, until: number): boolean {
  const c = new X509Certificate(certPem);
  return Date.parse(c.validFrom) <= Date.now() && Date.parse(c.validTo) > until;
}

function covers(certPem: string, hosts: string[]): boolean {
  const c = new X509Certificate(certPem);
  return hosts.every((h) => (isIP(h) ? c.checkIP(h) !== undefined : c.checkHost(h, { wildcards: false }) !== undefined));
}

function issuedBy(certPem: string, caPem: string): boolean {
  const c = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  return c.checkIssued(ca) && c.verify(ca.publicKey);
}

async function writeAtomic(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, file);
}
