/**
 * Who is asking: the authentication chain of k8s.io/apiserver's delegating authenticator.
 *
 *   requestheader (the hub's front proxy) → client certificate → bearer token (TokenReview) → anonymous
 *
 * - Before anything else the requestheader headers are stripped from the request's view of its headers, so no
 *   later code can mistake them for an identity; the values are read from a copy.
 * - X-Remote-* headers count only with a client certificate that chains to the requestheader CA, is valid now,
 *   allows clientAuth, and (when the hub lists allowed names) has a listed CN (x509.ts, request-header.ts).
 * - A credential that fails (certificate from no trusted CA, expired, bad token, hub unreachable) and no other
 *   that succeeds → null, which the caller answers with 401. No credential at all → system:anonymous.
 * - Every authenticated user gets the group system:authenticated.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { log as rootLog, type Logger } from "../../log.js";
import { describeError, type AuthConfigSource } from "../auth-config.js";
import { requestHeaderUser, strippedHeaderTest } from "./request-header.js";
import { stripHeaders, type AuthnRequest } from "./request.js";
import { bearerToken, cachedTokenReviewer, hubTokenReviewer, isTokenReviewer, type TokenReviewer } from "./token-review.js";
import { anonymousUser, authenticated, type UserInfo } from "./user.js";
import { ClientCertVerifier, connectionChain } from "./x509.js";

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

export function createAuthenticator(config: AuthConfigSource, hub: TokenReviewer | KubeConfig, opts: AuthenticatorOptions = {}): Authenticator {
  const now = opts.now ?? Date.now;
  const audiences = opts.audiences ?? [];
  const logger = opts.logger ?? rootLog.child({ component: "authn" });
  const certs = new ClientCertVerifier(now);
  const reviewToken = cachedTokenReviewer(isTokenReviewer(hub) ? hub : hubTokenReviewer(hub), { ttlMs: opts.tokenCacheTTLMs ?? 10_000, audiences, now });

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
        if (rh) {
          const v = certs.verify(cfg, "requestheader", peer);
          if (!v.ok) problems.push(`requestheader: ${v.reason}`);
          else if (rh.allowedNames.length > 0 && !rh.allowedNames.includes(v.leaf.commonName)) {
            problems.push(`requestheader: x509: subject with cn=${v.leaf.commonName} is not in the allowed list`);
          } else {
            const user = requestHeaderUser(raw, rh);
            if (user) return authenticated(user);
          }
        }
        if (certs.hasClientCA(cfg)) {
          const v = certs.verify(cfg, "client", peer);
          if (!v.ok) problems.push(`client certificate: ${v.reason}`);
          else if (v.leaf.commonName !== "") {
            return authenticated({ name: v.leaf.commonName, groups: [...v.leaf.organizations], extra: {} });
          }
        }
      }

      const token = bearerToken(raw);
      if (token !== undefined) {
        try {
          const r = await reviewToken(token);
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
      return anonymousUser();
    },
  };
}
