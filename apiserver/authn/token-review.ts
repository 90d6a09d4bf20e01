/**
 * Bearer tokens (k8s.io/apiserver's webhook token authenticator in delegating mode): a TokenReview on the hub,
 * its answers cached for a TTL (authenticated or not) under a hash of the token, never the token itself.
 */
import { createHash } from "node:crypto";
import { AuthenticationV1Api, KubeConfig } from "@kubernetes/client-node";
import { withTimeout } from "../hub-call.js";
import { TTLCache } from "../ttl-cache.js";
import { headerValues } from "./request.js";
import type { UserInfo } from "./user.js";

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

/** Parses `Authorization: Bearer <token>` as k8s does; undefined for any other (or no) scheme. */
export function bearerToken(raw: string[]): string | undefined {
  const auth = (headerValues(raw, "authorization")[0] ?? "").trim();
  if (auth === "") return undefined;
  const parts = auth.split(" ");
  if (parts.length < 2 || parts[0]!.toLowerCase() !== "bearer" || parts[1] === "") return undefined;
  return parts[1];
}

export function isTokenReviewer(hub: TokenReviewer | KubeConfig): hub is TokenReviewer {
  return typeof (hub as Partial<TokenReviewer>).reviewToken === "function";
}

/** How many TokenReview answers are kept at most (k8s keeps 10,000 too, in an LRU). */
const MAX_CACHED_TOKENS = 10_000;

/** `reviewer` behind the one TTL cache: equal tokens asked together share one review; errors are not kept. */
export function cachedTokenReviewer(reviewer: TokenReviewer, opts: { ttlMs: number; audiences: string[]; now?: () => number }): (token: string) => Promise<TokenReviewResult> {
  const cache = new TTLCache<TokenReviewResult>({ max: MAX_CACHED_TOKENS, ttlMs: opts.ttlMs, ...(opts.now ? { now: opts.now } : {}) });
  const audiences = opts.audiences.length > 0 ? opts.audiences : undefined;
  return (token) => {
    // Keys are hashes: the cache never holds a token.
    const key = createHash("sha256").update(token).update("\0").update(opts.audiences.join(",")).digest("hex");
    return cache.get(key, () => reviewer.reviewToken(token, audiences));
  };
}
