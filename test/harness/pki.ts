/**
 * Certificates for the harness, made with the openssl CLI (3.x). (@peculiar/x509 needs a Reflect polyfill
 * that is not a dependency of this package; openssl is one command per certificate and easy to read.)
 * ECDSA P-256 keys: about a millisecond each, so every cluster gets its own CAs and no run reuses keys.
 * Keys are PKCS#8 ("PRIVATE KEY"), which kube-apiserver, kubectl and Node all read.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface CertFiles {
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
}

/** A CA: the same files, used to sign more certificates. */
export type Ca = CertFiles;

export interface CertRequest {
  /** Subject CN: the user name for client certificates. */
  cn: string;
  /** Subject O entries: the groups for client certificates. */
  groups?: string[];
  dns?: string[];
  ips?: string[];
  usage: "server" | "client";
  /** Validity; 1 year by default. */
  days?: number;
}

/** `-subj` syntax: "/CN=x/O=a/O=b", with the separators escaped inside values. */
function subject(cn: string, groups: string[] = []): string {
  const esc = (v: string) => v.replace(/[\\/+=]/g, (c) => `\\${c}`);
  return [`/CN=${esc(cn)}`, ...groups.map((g) => `/O=${esc(g)}`)].join("");
}

async function openssl(dir: string, base: string, extensions: string[], args: string[]): Promise<CertFiles> {
  const certPath = path.join(dir, `${base}.crt`);
  const keyPath = path.join(dir, `${base}.key`);
  // A config of our own: the system openssl.cnf would add its default (CA) extensions to `req -x509`.
  const config = path.join(dir, `${base}.cnf`);
  writeFileSync(config, ["[req]", "distinguished_name = dn", "x509_extensions = ext", "[dn]", "[ext]", ...extensions, ""].join("\n"));
  try {
    await run("openssl", [
      "req", "-x509", "-config", config,
      "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", keyPath, "-out", certPath,
      "-set_serial", `0x${randomBytes(16).toString("hex").replace(/^./, "1")}`,
      ...args,
    ]);
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === "ENOENT") throw new Error("the openssl command is needed to make certificates (apt-get install openssl)");
    throw new Error(`openssl failed for ${certPath}: ${err.stderr ?? err.message}`);
  } finally {
    rmSync(config, { force: true });
  }
  return { certPem: readFileSync(certPath, "utf8"), keyPem: readFileSync(keyPath, "utf8"), certPath, keyPath };
}

/** A self-signed CA written to `<dir>/<base>.crt|.key`. */
export function createCa(dir: string, base: string, commonName: string): Promise<Ca> {
  return openssl(
    dir,
    base,
    [
      "basicConstraints = critical, CA:TRUE",
      "keyUsage = critical, keyCertSign, cRLSign, digitalSignature",
      "subjectKeyIdentifier = hash",
    ],
    ["-subj", subject(commonName), "-days", "3650"],
  );
}

/** A certificate signed by `ca`, written to `<dir>/<base>.crt|.key`. */
export function issueCert(ca: Ca, dir: string, base: string, req: CertRequest): Promise<CertFiles> {
  const sans = [...(req.dns ?? []).map((d) => `DNS:${d}`), ...(req.ips ?? []).map((ip) => `IP:${ip}`)];
  return openssl(
    dir,
    base,
    [
      "basicConstraints = critical, CA:FALSE",
      "keyUsage = critical, digitalSignature",
      `extendedKeyUsage = ${req.usage === "server" ? "serverAuth" : "clientAuth"}`,
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid",
      ...(sans.length ? [`subjectAltName = ${sans.join(", ")}`] : []),
    ],
    ["-CA", ca.certPath, "-CAkey", ca.keyPath, "-subj", subject(req.cn, req.groups), "-days", String(req.days ?? 365)],
  );
}

/** Everything one kube-apiserver (and its controller-manager) needs. */
export interface ClusterPki {
  dir: string;
  /** Signs the serving certificate and client certificates (it is the `--client-ca-file`). */
  ca: Ca;
  serving: CertFiles;
  /** CN=admin, O=system:masters. */
  admin: CertFiles;
  /** The `--requestheader-client-ca-file`: the CA an aggregated server trusts for X-Remote-* headers. */
  frontProxyCa: Ca;
  /** CN=front-proxy-client: what the aggregator presents to aggregated servers. */
  frontProxyClient: CertFiles;
  serviceAccount: { privateKeyPath: string; publicKeyPath: string };
}

export async function createClusterPki(dir: string): Promise<ClusterPki> {
  const [ca, frontProxyCa, serviceAccount] = await Promise.all([
    createCa(dir, "ca", "kubernetes-ca"),
    createCa(dir, "front-proxy-ca", "front-proxy-ca"),
    serviceAccountKeys(dir),
  ]);
  const [serving, admin, frontProxyClient] = await Promise.all([
    issueCert(ca, dir, "apiserver", {
      cn: "kube-apiserver",
      dns: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"],
      ips: ["127.0.0.1"],
      usage: "server",
    }),
    issueCert(ca, dir, "admin", { cn: "admin", groups: ["system:masters"], usage: "client" }),
    issueCert(frontProxyCa, dir, "front-proxy-client", { cn: "front-proxy-client", usage: "client" }),
  ]);
  return { dir, ca, serving, admin, frontProxyCa, frontProxyClient, serviceAccount };
}

/** The keypair that signs service-account tokens (kube-apiserver verifies, controller-manager signs legacy ones). */
async function serviceAccountKeys(dir: string): Promise<{ privateKeyPath: string; publicKeyPath: string }> {
  const privateKeyPath = path.join(dir, "sa.key");
  const publicKeyPath = path.join(dir, "sa.pub");
  await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", privateKeyPath]);
  await run("openssl", ["pkey", "-in", privateKeyPath, "-pubout", "-out", publicKeyPath]);
  return { privateKeyPath, publicKeyPath };
}

/** The DNS name the hub's aggregator checks our certificate against (`<service>.<namespace>.svc`). */
export const SERVER_SERVICE_DNS = "clusterset-apiserver.clusterset-system.svc";

/** Our server's serving certificate; its CA is the APIService caBundle. */
export interface ServerPki {
  ca: Ca;
  serving: CertFiles;
}

export async function createServerPki(dir: string): Promise<ServerPki> {
  const ca = await createCa(dir, "clusterset-apiserver-ca", "clusterset-apiserver-ca");
  const serving = await issueCert(ca, dir, "clusterset-apiserver", {
    cn: "clusterset-apiserver",
    dns: [SERVER_SERVICE_DNS, "localhost"],
    ips: ["127.0.0.1"],
    usage: "server",
  });
  return { ca, serving };
}

function uniqueBase(prefix: string, cn: string): string {
  return `${prefix}-${cn.replace(/[^A-Za-z0-9._-]/g, "_")}-${randomBytes(3).toString("hex")}`;
}

/** A client certificate the cluster authenticates as user `cn` in `groups` (signed by its client CA). */
export function clientCert(pki: ClusterPki, user: { cn: string; groups?: string[] }): Promise<CertFiles> {
  return issueCert(pki.ca, pki.dir, uniqueBase("user", user.cn), { ...user, usage: "client" });
}

/** A certificate signed by the cluster's front-proxy CA with a chosen CN (to test requestheader checks). */
export function frontProxyCert(pki: ClusterPki, cn: string): Promise<CertFiles> {
  return issueCert(pki.frontProxyCa, pki.dir, uniqueBase("front-proxy", cn), { cn, usage: "client" });
}
