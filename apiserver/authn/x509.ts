/**
 * Client certificates (k8s.io/apiserver's x509 authenticator), verified in code per CA: TLS only requests a
 * certificate, because which CA it must chain to depends on its use (front proxy or client-ca).
 */
import { X509Certificate } from "node:crypto";
import { LRUCache } from "lru-cache";
import { describeError, type AuthConfig } from "../auth-config.js";
import { parseCertificateBundle } from "../tls/pem.js";
import { x509 } from "../tls/x509.js";

/** One certificate the peer presented: DER bytes and Node's SHA-256 fingerprint. */
export interface PeerCertificate {
  raw: Buffer;
  fingerprint256: string;
}

interface DetailedCert {
  raw?: Buffer;
  fingerprint256?: string;
  issuerCertificate?: DetailedCert;
}

/** The peer's certificate chain, leaf first; [] when none was sent (or the socket is not TLS). */
export function peerCertificateChain(socket: unknown): PeerCertificate[] {
  const s = socket as { getPeerCertificate?: (detailed: boolean) => DetailedCert | undefined } | null | undefined;
  if (!s || typeof s.getPeerCertificate !== "function") return [];
  const chain: PeerCertificate[] = [];
  const seen = new Set<string>();
  // Node links each certificate to its issuer; a self-signed one links to itself.
  for (let c = s.getPeerCertificate(true); c?.raw && c.fingerprint256 && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    chain.push({ raw: c.raw, fingerprint256: c.fingerprint256 });
  }
  return chain;
}

/**
 * The peer chain of the request's connection, read once per connection: a TLS connection's client certificate
 * cannot change, and the hub's aggregator sends every proxied request over a few long-lived HTTP/2 sessions.
 * (An HTTP/2 request's `socket` is a fresh proxy per stream, so the session is the key there.)
 */
const chains = new WeakMap<object, PeerCertificate[]>();
export function connectionChain(req: { socket?: unknown; stream?: { session?: object } }): PeerCertificate[] {
  const key = (req.stream?.session ?? req.socket) as object | undefined;
  if (!key) return peerCertificateChain(req.socket);
  let chain = chains.get(key);
  if (!chain) {
    chain = peerCertificateChain(req.socket);
    chains.set(key, chain);
  }
  return chain;
}

const OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const OID_ANY_EKU = "2.5.29.37.0";

export interface ParsedCert {
  fingerprint: string;
  node: X509Certificate;
  notBefore: number;
  notAfter: number;
  /** Extended key usages; undefined when the certificate has no EKU extension (any use). */
  eku: string[] | undefined;
  commonName: string;
  organizations: string[];
}

export function parseCert(der: Buffer, fingerprint?: string): ParsedCert {
  const node = new X509Certificate(der);
  const pc = new x509.X509Certificate(new Uint8Array(der));
  const ekuExt = pc.getExtension(x509.ExtendedKeyUsageExtension);
  const cns = pc.subjectName.getField("CN");
  return {
    fingerprint: fingerprint ?? node.fingerprint256,
    node,
    notBefore: pc.notBefore.getTime(),
    notAfter: pc.notAfter.getTime(),
    eku: ekuExt ? ekuExt.usages.map(String) : undefined,
    // Go's pkix.Name keeps the last CN and every O.
    commonName: cns[cns.length - 1] ?? "",
    organizations: pc.subjectName.getField("O"),
  };
}

export type ChainVerdict =
  | { ok: true; leaf: ParsedCert; validFrom: number; validTo: number }
  | { ok: false; reason: string };

/**
 * Verifies `chain` (leaf first, then intermediates in any order) against `roots` at time `now`, for
 * clientAuth, as Go's x509.Certificate.Verify does for k8s: some path leaf → intermediates (CA certificates)
 * → a root, each link a valid signature by an issuer whose name and key identifier match, every certificate
 * on the path valid at `now`, and every one with an EKU extension allowing clientAuth (or any).
 */
export function verifyClientChain(chain: ParsedCert[], roots: ParsedCert[], now: number): ChainVerdict {
  const [leaf, ...intermediates] = chain;
  if (!leaf) return { ok: false, reason: "no client certificate" };
  if (now < leaf.notBefore || now > leaf.notAfter) {
    return { ok: false, reason: "x509: certificate has expired or is not yet valid" };
  }
  let lastProblem = "x509: certificate signed by unknown authority";
  const check = (path: ParsedCert[]): ChainVerdict | undefined => {
    for (const c of path) {
      if (now < c.notBefore || now > c.notAfter) {
        lastProblem = "x509: a certificate in the chain has expired or is not yet valid";
        return undefined;
      }
      if (c.eku && !c.eku.includes(OID_CLIENT_AUTH) && !c.eku.includes(OID_ANY_EKU)) {
        lastProblem = "x509: certificate specifies an incompatible key usage";
        return undefined;
      }
    }
    return {
      ok: true,
      leaf,
      validFrom: Math.max(...path.map((c) => c.notBefore)),
      validTo: Math.min(...path.map((c) => c.notAfter)),
    };
  };
  const signs = (issuer: ParsedCert, child: ParsedCert): boolean => {
    try {
      return child.node.checkIssued(issuer.node) && child.node.verify(issuer.node.publicKey);
    } catch {
      return false;
    }
  };
  const search = (path: ParsedCert[]): ChainVerdict | undefined => {
    const tip = path[path.length - 1]!;
    if (roots.some((r) => r.fingerprint === tip.fingerprint)) {
      const v = check(path);
      if (v) return v;
    }
    for (const root of roots) {
      if (root.fingerprint !== tip.fingerprint && signs(root, tip)) {
        const v = check([...path, root]);
        if (v) return v;
      }
    }
    if (path.length > 8) return undefined;
    for (const inter of intermediates) {
      if (path.includes(inter) || !inter.node.ca || !signs(inter, tip)) continue;
      const v = search([...path, inter]);
      if (v) return v;
    }
    return undefined;
  };
  return search([leaf]) ?? { ok: false, reason: lastProblem };
}

/** Parsed CAs of one config snapshot, and the chains that verified against them (by fingerprints). */
interface TrustState {
  clientCAs: ParsedCert[] | undefined;
  requestHeaderCAs: ParsedCert[] | undefined;
  verified: LRUCache<string, Extract<ChainVerdict, { ok: true }>>;
}

const MAX_VERIFIED = 1024;

/**
 * Verifies peer chains against the CAs of the current auth config, parsing each config's CAs once and reusing
 * a chain's success while every certificate on its path is still valid.
 */
export class ClientCertVerifier {
  readonly #trust = new WeakMap<AuthConfig, TrustState>();

  constructor(private readonly now: () => number) {}

  /** Verdict for the peer chain against the client CA or the requestheader CA of `cfg`. */
  verify(cfg: AuthConfig, which: "client" | "requestheader", peer: PeerCertificate[]): ChainVerdict {
    const t = this.#trustFor(cfg);
    const roots = which === "client" ? t.clientCAs : t.requestHeaderCAs;
    if (!roots) return { ok: false, reason: "no CA" };
    const key = `${which}|${peer.map((p) => p.fingerprint256).join("|")}`;
    const at = this.now();
    const hit = t.verified.get(key);
    if (hit && at >= hit.validFrom && at <= hit.validTo) return hit;
    let verdict: ChainVerdict;
    try {
      verdict = verifyClientChain(peer.map((p) => parseCert(p.raw, p.fingerprint256)), roots, at);
    } catch (err) {
      verdict = { ok: false, reason: `x509: unparsable client certificate: ${describeError(err)}` };
    }
    if (verdict.ok) t.verified.set(key, verdict);
    return verdict;
  }

  /** Whether `cfg` names a client CA at all (without one a certificate is no identity). */
  hasClientCA(cfg: AuthConfig): boolean {
    return this.#trustFor(cfg).clientCAs !== undefined;
  }

  #trustFor(cfg: AuthConfig): TrustState {
    let t = this.#trust.get(cfg);
    if (!t) {
      // Sources validated these bundles already; a parse error here would be a bug, so let it surface.
      const parse = (pem: string | undefined, what: string) =>
        pem === undefined ? undefined : parseCertificateBundle(pem, what).map((c) => parseCert(c.raw, c.fingerprint256));
      t = {
        clientCAs: parse(cfg.clientCA, "client-ca-file"),
        requestHeaderCAs: parse(cfg.requestHeader?.clientCA, "requestheader-client-ca-file"),
        verified: new LRUCache({ max: MAX_VERIFIED }),
      };
      this.#trust.set(cfg, t);
    }
    return t;
  }
}
