/**
 * May this user do this: SubjectAccessReview (authorization.k8s.io/v1) on the hub, as k8s.io/apiserver's
 * delegating authorizer asks it, with its TTL caches (10 s for allowed and for denied answers, keyed by the
 * whole review), and the exact 403 wording of k8s.io/apiserver's responsewriters.Forbidden.
 *
 * Which paths skip authorization (health endpoints) is the caller's choice; everything else is reviewed. As
 * upstream (`--authorization-always-allow-groups`), members of system:masters are allowed without asking: the
 * hub's availability probe comes as system:kube-aggregator in that group, every 30 s.
 */
import { AuthorizationV1Api, KubeConfig, type V1SubjectAccessReviewSpec } from "@kubernetes/client-node";
import { log as rootLog, type Logger } from "../log.js";
import type { UserInfo } from "./authn/user.js";
import { withTimeout } from "./hub-call.js";
import type { RequestAttributes } from "./request-attributes.js";
import { TTLCache } from "./ttl-cache.js";

export type AccessReviewSpec = V1SubjectAccessReviewSpec;

export interface AccessReviewStatus {
  allowed: boolean;
  /** An explicit deny (no other authorizer may allow). */
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export interface SubjectAccessReviewer {
  /** The hub's answer; rejects when the hub could not be asked. */
  reviewAccess(spec: AccessReviewSpec): Promise<AccessReviewStatus>;
}

/** SubjectAccessReview on the hub; our ServiceAccount needs system:auth-delegator. */
export function hubAccessReviewer(kc: KubeConfig, timeoutMs = 10_000): SubjectAccessReviewer {
  const api = kc.makeApiClient(AuthorizationV1Api);
  return {
    async reviewAccess(spec) {
      const review = await withTimeout(
        api.createSubjectAccessReview({
          body: { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec },
        }),
        timeoutMs,
        "SubjectAccessReview",
      );
      const st = review.status;
      const out: AccessReviewStatus = { allowed: st?.allowed === true };
      if (st?.denied) out.denied = true;
      if (st?.reason) out.reason = st.reason;
      if (st?.evaluationError) out.evaluationError = st.evaluationError;
      return out;
    },
  };
}

/**
 * The review for one request, as the webhook authorizer builds it: empty attributes left out (Go's omitempty),
 * extra keys sorted so equal users give equal cache keys.
 */
export function accessReviewSpec(user: UserInfo, attrs: RequestAttributes): AccessReviewSpec {
  const spec: AccessReviewSpec = { user: user.name, groups: [...user.groups] };
  if (user.uid) spec.uid = user.uid;
  const extraKeys = Object.keys(user.extra).sort();
  if (extraKeys.length > 0) spec.extra = Object.fromEntries(extraKeys.map((k) => [k, [...user.extra[k]!]]));
  if (attrs.isResourceRequest) {
    const ra: Record<string, string> = {};
    const put = (k: string, v: string) => {
      if (v !== "") ra[k] = v;
    };
    put("namespace", attrs.namespace);
    put("verb", attrs.verb);
    put("group", attrs.apiGroup);
    put("version", attrs.apiVersion);
    put("resource", attrs.resource);
    put("subresource", attrs.subresource);
    put("name", attrs.name);
    spec.resourceAttributes = ra;
  } else {
    spec.nonResourceAttributes = { path: attrs.path, verb: attrs.verb };
  }
  return spec;
}

export interface Decision {
  allowed: boolean;
  /** The hub's reason (may be empty); a 403 message appends it after ": ". */
  reason: string;
}

export interface AuthorizerOptions {
  /** How long an allowed answer is reused (k8s default 10 s). */
  allowedTTLMs?: number;
  /** How long a denied answer is reused (k8s default 10 s). */
  deniedTTLMs?: number;
  /** Groups allowed everything without a review; default system:masters, as upstream. */
  alwaysAllowGroups?: string[];
  /** Clock (ms since epoch), for tests. */
  now?: () => number;
  logger?: Logger;
}

export interface Authorizer {
  /** Rejects when the hub cannot be asked (k8s answers 500 then); answers are cached, errors not. */
  authorize(user: UserInfo, attrs: RequestAttributes): Promise<Decision>;
}

/** How many answers are kept at most (k8s keeps 10,000 too, in an LRU). */
const MAX_ENTRIES = 10_000;

export function createAuthorizer(hub: SubjectAccessReviewer | KubeConfig, opts: AuthorizerOptions = {}): Authorizer {
  const reviewer = isReviewer(hub) ? hub : hubAccessReviewer(hub);
  const now = opts.now ?? Date.now;
  const allowedTTL = opts.allowedTTLMs ?? 10_000;
  const deniedTTL = opts.deniedTTLMs ?? 10_000;
  const privileged = new Set(opts.alwaysAllowGroups ?? ["system:masters"]);
  const logger = opts.logger ?? rootLog.child({ component: "authz" });
  const cache = new TTLCache<Decision>({ max: MAX_ENTRIES, ttlMs: (d) => (d.allowed ? allowedTTL : deniedTTL), now });

  return {
    async authorize(user, attrs) {
      if (user.groups.some((g) => privileged.has(g))) return { allowed: true, reason: "" };
      const spec = accessReviewSpec(user, attrs);
      const key = JSON.stringify(spec);
      return cache.get(key, async () => {
        const st = await reviewer.reviewAccess(spec);
        if (st.evaluationError) logger.warn({ user: user.name, evaluationError: st.evaluationError }, "SubjectAccessReview evaluation error");
        return { allowed: st.allowed && !st.denied, reason: st.reason ?? "" };
      });
    },
  };
}

function isReviewer(hub: SubjectAccessReviewer | KubeConfig): hub is SubjectAccessReviewer {
  return typeof (hub as Partial<SubjectAccessReviewer>).reviewAccess === "function";
}

// ---------------------------------------------------------------------------------------------------------------
// 403 wording

/**
 * The message of the 403 Forbidden Status, as k8s.io/apiserver words it (NewForbidden around forbiddenMessage):
 *   works.multicluster.x-k8s.io "w1" is forbidden: User "alice" cannot get resource "works" in API group
 *   "multicluster.x-k8s.io" in the namespace "default"
 *   forbidden: User "bob" cannot get path "/foo"
 * `reason` (the hub's, when it gave one) follows after ": ".
 */
export function forbiddenMessage(user: Pick<UserInfo, "name">, attrs: RequestAttributes, reason = ""): string {
  let msg: string;
  if (!attrs.isResourceRequest) {
    msg = `User ${goQuote(user.name)} cannot ${attrs.verb} path ${goQuote(attrs.path)}`;
  } else {
    const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const scope = attrs.namespace ? `in the namespace ${goQuote(attrs.namespace)}` : "at the cluster scope";
    msg = `User ${goQuote(user.name)} cannot ${attrs.verb} resource ${goQuote(resource)} in API group ${goQuote(attrs.apiGroup)} ${scope}`;
  }
  // Upstream keeps error text from looking like HTML (the reason is appended unsanitized, as there).
  msg = msg.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  if (reason) msg = `${msg}: ${reason}`;

  const groupResource = attrs.isResourceRequest ? (attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource) : "";
  if (groupResource === "") return `forbidden: ${msg}`;
  if (attrs.name === "") return `${groupResource} is forbidden: ${msg}`;
  return `${groupResource} ${goQuote(attrs.name)} is forbidden: ${msg}`;
}

/** The `details` of that 403 Status: group, kind (the plural resource, as upstream) and name. */
export function forbiddenDetails(attrs: RequestAttributes): { group?: string; kind?: string; name?: string } {
  const d: { group?: string; kind?: string; name?: string } = {};
  if (attrs.apiGroup) d.group = attrs.apiGroup;
  if (attrs.resource) d.kind = attrs.resource;
  if (attrs.name) d.name = attrs.name;
  return d;
}

const NAMED_ESCAPES: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  "\\": "\\\\",
  '"': '\\"',
};

/** Go's %q for the strings that occur here: printable text verbatim, controls escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (NAMED_ESCAPES[ch]) out += NAMED_ESCAPES[ch];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp >= 0x80 && cp <= 0x9f) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}
