/**
 * Who is asking: the authentication chain of k8s.io/apiserver's delegating authenticator.
 *
 *   requestheader (the hub's front proxy) → client certificate → bearer token (TokenReview) → anonymous
 *
 * - Before anything else the requestheader headers are stripped from the request's view of its headers, so no
 *   later code can mistake them for an identity; the values are read from a copy.
 * - X-Remote-* headers count only with a client certificate that chains to the requestheader CA, is valid now,
 *   allows clientAuth, and (when the hub lists allowed names) has a listed CN. Verified here per CA, in code:
 *   TLS only requests certificates.
 * - A credential that fails (certificate from no trusted CA, expired, bad token, hub unreachable) and no other
 *   that succeeds → null, which the caller answers with 401. No credential at all → system:anonymous.
 * - Every authenticated user gets the group system:authenticated.
 */
import { createHash, X509Certificate } from "node:crypto";
import { AuthenticationV1Api, KubeConfig } from "@kubernetes/client-node";
import { log as rootLog, type Logger } from "../log.js";
import { describeError, type AuthConfig, type AuthConfigSource, type RequestHeaderConfig } from "./auth-config.js";
import { parseCertificateBundle, x509 } from "./tls.js";

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export const ANONYMOUS_USER = "system:anonymous";
export const UNAUTHENTICATED_GROUP = "system:unauthenticated";
export const AUTHENTICATED_GROUP = "system:authenticated";

// ---------------------------------------------------------------------------------------------------------------
// The request, as far as authentication reads it

/** What authentication needs of an `IncomingMessage` or `Http2ServerRequest`. */
export interface AuthnRequest {
  /** Name/value pairs as received; repeated headers stay separate here (unlike `headers`). */
  rawHeaders: string[];
  headers?: { [name: string]: unknown };
  /** A TLSSocket (HTTP/1.1) or the HTTP/2 stream's socket proxy; anything else has no certificate. */
  socket?: unknown;
}

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
function connectionChain(req: { socket?: unknown; stream?: { session?: object } }): PeerCertificate[] {
  const key = (req.stream?.session ?? req.socket) as object | undefined;
  if (!key) return peerCertificateChain(req.socket);
  let chain = chains.get(key);
  if (!chain) {
    chain = peerCertificateChain(req.socket);
    chains.set(key, chain);
  }
  return chain;
}

function headerValues(raw: string[], name: string): string[] {
  const lname = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === lname) values.push(raw[i + 1]!);
  return values;
}

/** The first value of the first listed header whose first value is non-empty (Go's `Header.Get` per name). */
function firstHeader(raw: string[], names: string[]): string {
  for (const n of names) {
    const v = headerValues(raw, n)[0];
    if (v) return v;
  }
  return "";
}

/**
 * Removes headers matching `test` (lower-case name) from `headers`, `headersDistinct` and `rawHeaders`.
 * Node builds `headers`/`headersDistinct` lazily from `rawHeaders` with the original count, so both are
 * materialized before `rawHeaders` shrinks.
 */
function stripHeaders(req: AuthnRequest, test: (lowerName: string) => boolean): void {
  const r = req as AuthnRequest & { headersDistinct?: { [name: string]: unknown } };
  const raw = r.rawHeaders;
  let found = false;
  for (let i = 0; i + 1 < raw.length && !found; i += 2) found = test(raw[i]!.toLowerCase());
  if (!found) return;
  const views = [r.headers, "headersDistinct" in r ? r.headersDistinct : undefined];
  for (const view of views) {
    if (!view) continue;
    for (const k of Object.keys(view)) if (test(k.toLowerCase())) delete view[k];
  }
  for (let i = raw.length - 2; i >= 0; i -= 2) if (test(raw[i]!.toLowerCase())) raw.splice(i, 2);
}

// ---------------------------------------------------------------------------------------------------------------
// Requestheader: the identity the front proxy asserts

/** The user the front proxy names, or undefined when the username header is empty (k8s: no opinion). */
export function requestHeaderUser(raw: string[], rh: RequestHeaderConfig): UserInfo | undefined {
  const name = firstHeader(raw, rh.usernameHeaders);
  if (!name) return undefined;
  const user: UserInfo = { name, groups: [], extra: {} };
  const uid = firstHeader(raw, rh.uidHeaders);
  if (uid) user.uid = uid;
  for (const h of rh.groupHeaders) for (const v of headerValues(raw, h)) if (v !== "") user.groups.push(v);
  // Prefixes first, then headers in arrival order, as upstream orders the values of one key.
  for (const p of rh.extraHeaderPrefixes) {
    const prefix = p.toLowerCase();
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const lname = raw[i]!.toLowerCase();
      if (!lname.startsWith(prefix)) continue;
      const key = pathUnescape(lname.slice(prefix.length));
      (user.extra[key] ??= []).push(raw[i + 1]!);
    }
  }
  return user;
}

/** Go's url.PathUnescape, falling back to the input when an escape is malformed (as upstream does). */
export function pathUnescape(s: string): string {
  if (!s.includes("%")) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return s;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of Buffer.from(s[i]!, "utf8")) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

// ---------------------------------------------------------------------------------------------------------------
// Client certificate verification, per CA

const OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const OID_ANY_EKU = "2.5.29.37.0";

interface ParsedCert {
  fingerprint: string;
  node: X509Certificate;
  notBefore: number;
  notAfter: number;
  /** Extended key usages; undefined when the certificate has no EKU extension (any use). */
  eku: string[] | undefined;
  commonName: string;
  organizations: string[];
}

function parseCert(der: Buffer, fingerprint?: string): ParsedCert {
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
  verified: Map<string, Extract<ChainVerdict, { ok: true }>>;
}

const MAX_VERIFIED = 1024;

// ---------------------------------------------------------------------------------------------------------------
// Bearer tokens

export interface TokenReviewResult {
  authenticated: boolean;
  user?: UserInfo;
  /** Audiences the token is valid for, as the hub reports them. */
  audiences?: string[];
  /** The hub's explanation when not authenticated. */
  error?: string;
}

export interface TokenReviewer {
  /** A definitive answer from the hub; rejects when the hub could not be asked. */
  reviewToken(token: string, audiences?: string[]): Promise<TokenReviewResult>;
}

/** TokenReview (authentication.k8s.io/v1) on the hub; our ServiceAccount needs system:auth-delegator. */
export function hubTokenReviewer(kc: KubeConfig, timeoutMs = 10_000): TokenReviewer {
  const api = kc.makeApiClient(AuthenticationV1Api);
  return {
    async reviewToken(token, audiences) {
      const review = await withTimeout(
        api.createTokenReview({
          body: {
            apiVersion: "authentication.k8s.io/v1",
            kind: "TokenReview",
            spec: { token, ...(audiences && audiences.length > 0 ? { audiences } : {}) },
          },
        }),
        timeoutMs,
        "TokenReview",
      );
      const st = review.status ?? {};
      const result: TokenReviewResult = { authenticated: st.authenticated === true };
      if (st.audiences) result.audiences = st.audiences;
      if (st.error) result.error = st.error;
      if (result.authenticated && st.user?.username) {
        result.user = {
          name: st.user.username,
          groups: st.user.groups ?? [],
          extra: st.user.extra ?? {},
          ...(st.user.uid ? { uid: st.user.uid } : {}),
        };
      } else {
        result.authenticated = false;
      }
      return result;
    },
  };
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from the hub within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Parses `Authorization: Bearer <token>` as k8s does; undefined for any other (or no) scheme. */
function bearerToken(raw: string[]): string | undefined {
  const auth = (headerValues(raw, "authorization")[0] ?? "").trim();
  if (auth === "") return undefined;
  const parts = auth.split(" ");
  if (parts.length < 2 || parts[0]!.toLowerCase() !== "bearer" || parts[1] === "") return undefined;
  return parts[1];
}

// ---------------------------------------------------------------------------------------------------------------
// The chain

export interface AuthenticatorOptions {
  /** How long a TokenReview answer (authenticated or not) is reused; k8s's default is 10 s for both. */
  tokenCacheTTLMs?: number;
  /** Audiences to ask the hub for; default none (the hub's own). */
  audiences?: string[];
  /** Clock (ms since epoch), for tests. */
  now?: () => number;
  logger?: Logger;
}

export interface Authenticator {
  /**
   * The request's user; null when a credential was presented and failed (answer 401 Unauthorized).
   * Strips the requestheader headers (and, on success, Authorization) from `req` as a side effect.
   */
  authenticate(req: AuthnRequest): Promise<UserInfo | null>;
}

const DEFAULT_REQUESTHEADER_NAMES = ["x-remote-user", "x-remote-uid", "x-remote-group"];
const DEFAULT_EXTRA_PREFIX = "x-remote-extra-";

export function createAuthenticator(
  config: AuthConfigSource,
  hub: TokenReviewer | KubeConfig,
  opts: AuthenticatorOptions = {},
): Authenticator {
  const reviewer: TokenReviewer = isTokenReviewer(hub) ? hub : hubTokenReviewer(hub);
  const now = opts.now ?? Date.now;
  const ttl = opts.tokenCacheTTLMs ?? 10_000;
  const audiences = opts.audiences ?? [];
  const logger = opts.logger ?? rootLog.child({ component: "authn" });
  const trust = new WeakMap<AuthConfig, TrustState>();
  const tokenCache = new Map<string, { expires: number; result: TokenReviewResult }>();
  const inflight = new Map<string, Promise<TokenReviewResult>>();

  const trustFor = (cfg: AuthConfig): TrustState => {
    let t = trust.get(cfg);
    if (!t) {
      // Sources validated these bundles already; a parse error here would be a bug, so let it surface.
      const parse = (pem: string | undefined, what: string) =>
        pem === undefined ? undefined : parseCertificateBundle(pem, what).map((c) => parseCert(c.raw, c.fingerprint256));
      t = {
        clientCAs: parse(cfg.clientCA, "client-ca-file"),
        requestHeaderCAs: parse(cfg.requestHeader?.clientCA, "requestheader-client-ca-file"),
        verified: new Map(),
      };
      trust.set(cfg, t);
    }
    return t;
  };

  /** Verdict for the peer chain against one CA set, reusing an earlier success while still in its validity. */
  const verify = (t: TrustState, which: "client" | "requestheader", peer: PeerCertificate[]): ChainVerdict => {
    const roots = which === "client" ? t.clientCAs : t.requestHeaderCAs;
    if (!roots) return { ok: false, reason: "no CA" };
    const key = `${which}|${peer.map((p) => p.fingerprint256).join("|")}`;
    const at = now();
    const hit = t.verified.get(key);
    if (hit && at >= hit.validFrom && at <= hit.validTo) return hit;
    let verdict: ChainVerdict;
    try {
      verdict = verifyClientChain(peer.map((p) => parseCert(p.raw, p.fingerprint256)), roots, at);
    } catch (err) {
      verdict = { ok: false, reason: `x509: unparsable client certificate: ${describeError(err)}` };
    }
    if (verdict.ok) {
      if (t.verified.size >= MAX_VERIFIED) t.verified.clear();
      t.verified.set(key, verdict);
    }
    return verdict;
  };

  const reviewCached = async (token: string): Promise<TokenReviewResult> => {
    // Keys are hashes: the cache never holds a token.
    const key = createHash("sha256").update(token).update("\0").update(audiences.join(",")).digest("hex");
    const at = now();
    const hit = tokenCache.get(key);
    if (hit && hit.expires > at) return hit.result;
    let p = inflight.get(key);
    if (!p) {
      p = reviewer.reviewToken(token, audiences.length > 0 ? audiences : undefined).then(
        (result) => {
          if (tokenCache.size >= 10_000) sweep(tokenCache, now());
          tokenCache.set(key, { expires: now() + ttl, result });
          return result;
        },
      ).finally(() => inflight.delete(key));
      inflight.set(key, p);
    }
    return p;
  };

  return {
    async authenticate(req) {
      const cfg = config.current();
      const rh = cfg.requestHeader;
      // Read from a copy; strip the request's own view first, whatever happens next.
      const raw = req.rawHeaders.slice();
      stripHeaders(req, strippedHeaderTest(rh));
      const problems: string[] = [];

      const peer = connectionChain(req);
      if (peer.length > 0) {
        const t = trustFor(cfg);
        if (rh) {
          const v = verify(t, "requestheader", peer);
          if (!v.ok) problems.push(`requestheader: ${v.reason}`);
          else if (rh.allowedNames.length > 0 && !rh.allowedNames.includes(v.leaf.commonName)) {
            problems.push(`requestheader: x509: subject with cn=${v.leaf.commonName} is not in the allowed list`);
          } else {
            const user = requestHeaderUser(raw, rh);
            if (user) return authenticated(user);
          }
        }
        if (t.clientCAs) {
          const v = verify(t, "client", peer);
          if (!v.ok) problems.push(`client certificate: ${v.reason}`);
          else if (v.leaf.commonName !== "") {
            return authenticated({ name: v.leaf.commonName, groups: [...v.leaf.organizations], extra: {} });
          }
        }
      }

      const token = bearerToken(raw);
      if (token !== undefined) {
        try {
          const r = await reviewCached(token);
          const audienceOK = audiences.length === 0 || !r.audiences || r.audiences.some((a) => audiences.includes(a));
          if (r.authenticated && r.user && audienceOK) {
            stripHeaders(req, (n) => n === "authorization");
            return authenticated(r.user);
          }
          problems.push(`token: ${r.error ? r.error : audienceOK ? "invalid bearer token" : "token audiences do not match"}`);
        } catch (err) {
          problems.push(`token: ${describeError(err)}`);
        }
      }

      if (problems.length > 0) {
        // Reasons only: never a header value, certificate content or token.
        logger.debug({ problems }, "authentication failed");
        return null;
      }
      return { name: ANONYMOUS_USER, groups: [UNAUTHENTICATED_GROUP], extra: {} };
    },
  };
}

/** Adds system:authenticated, unless the user is anonymous or already carries either system group. */
function authenticated(user: UserInfo): UserInfo {
  if (user.name === ANONYMOUS_USER) return user;
  if (user.groups.includes(AUTHENTICATED_GROUP) || user.groups.includes(UNAUTHENTICATED_GROUP)) return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

/** The headers to strip: those the hub configures plus the conventional X-Remote-* names. */
function strippedHeaderTest(rh: RequestHeaderConfig | undefined): (lowerName: string) => boolean {
  const names = new Set(DEFAULT_REQUESTHEADER_NAMES);
  const prefixes = [DEFAULT_EXTRA_PREFIX];
  if (rh) {
    for (const n of [...rh.usernameHeaders, ...rh.uidHeaders, ...rh.groupHeaders]) names.add(n.toLowerCase());
    for (const p of rh.extraHeaderPrefixes) prefixes.push(p.toLowerCase());
  }
  return (n) => names.has(n) || prefixes.some((p) => n.startsWith(p));
}

function sweep<V extends { expires: number }>(cache: Map<string, V>, at: number): void {
  for (const [k, v] of cache) if (v.expires <= at) cache.delete(k);
  if (cache.size >= 10_000) cache.clear();
}

function isTokenReviewer(hub: TokenReviewer | KubeConfig): hub is TokenReviewer {
  return typeof (hub as Partial<TokenReviewer>).reviewToken === "function";
}
