/**
 * Certificates for the harness, minted with the server's own certificate factory (apiserver/tls/mint.ts:
 * @peculiar/x509, ECDSA P-256, about a millisecond each), so every cluster gets its own CAs and no run reuses
 * keys. Written as PEM files: keys are PKCS#8 ("PRIVATE KEY"), which kube-apiserver, kubectl and Node all read.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createCA, createCertificate } from "../../apiserver/tls/mint.js";

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

function write(dir: string, base: string, pair: { cert: string; key: string }): CertFiles {
  const certPath = path.join(dir, `${base}.crt`);
  const keyPath = path.join(dir, `${base}.key`);
  writeFileSync(certPath, pair.cert);
  writeFileSync(keyPath, pair.key, { mode: 0o600 });
  return { certPem: pair.cert, keyPem: pair.key, certPath, keyPath };
}

/** A self-signed CA written to `<dir>/<base>.crt|.key`. */
export async function createCa(dir: string, base: string, commonName: string): Promise<Ca> {
  return write(dir, base, await createCA(commonName));
}

/** A certificate signed by `ca`, written to `<dir>/<base>.crt|.key`. */
export async function issueCert(ca: Ca, dir: string, base: string, req: CertRequest): Promise<CertFiles> {
  const pair = await createCertificate(
    {
      commonName: req.cn,
      organizations: req.groups ?? [],
      hosts: [...(req.dns ?? []), ...(req.ips ?? [])],
      usages: [req.usage === "server" ? "serverAuth" : "clientAuth"],
      notAfter: new Date(Date.now() + (req.days ?? 365) * 24 * 3600_000),
    },
    { cert: ca.certPem, key: ca.keyPem },
  );
  return write(dir, base, pair);
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
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256", privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  writeFileSync(privateKeyPath, privateKey, { mode: 0o600 });
  writeFileSync(publicKeyPath, publicKey);
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
