/**
 * The serving certificate: loading it, minting a self-signed one when none is given, and reloading it.
 *
 * - `loadServingCert`: `--tls-cert-file`/`--tls-private-key-file` when given; otherwise a self-signed CA and a
 *   serving certificate for the names the hub dials (`<service>.<namespace>.svc`), kept in a cert dir so that a
 *   restart serves the same certificate (the APIService `caBundle` stays valid).
 * - `ServingCert.watch`: polls the files and hands a fresh secure context to `server.setSecureContext`, so a
 *   rotated certificate (cert-manager, a re-mounted Secret) is served without a restart.
 *
 * TLS only *requests* a client certificate and never rejects one: which CA a certificate must chain to depends
 * on how it is used (front proxy or client-ca), so authn/x509.ts verifies it in code, per CA.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";
import type { SecureServerOptions } from "node:http2";
import type { SecureContextOptions } from "node:tls";
import { log as rootLog, type Logger } from "../../log.js";
import { createCA, createCertificate } from "./mint.js";
import { CertificateError, errorText, parseCertificateBundle, type PemKeyPair } from "./pem.js";

const DAY = 24 * 3600_000;

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
   * requested but never required nor checked by TLS (authn/x509.ts checks it per CA).
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
