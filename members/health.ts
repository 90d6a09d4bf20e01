/**
 * What a /readyz probe says about a member, as condition-ready status, reason and message (pure).
 * ControlPlaneHealthy: Healthy, NotReady (readyz answered but not ok), Unauthorized (401/403), Unreachable (no
 * answer: refused, timed out, TLS failure). Joined: the Secret is valid and the member was reached.
 * Messages carry no timestamps or counters, so an unchanged state yields an unchanged condition.
 */
import { MemberRequestError } from "./member-http.js";

export type ConditionStatus = "True" | "False" | "Unknown";

export interface ConditionState {
  status: ConditionStatus;
  reason: string;
  message: string;
}

export type ProbeOutcome = { status: number; body: string } | { error: unknown };

const TLS_CODES = /CERT|SELF_SIGNED|TLS|SSL|ALTNAME|UNABLE_TO|EPROTO/;

/** Why a request got no answer, in words (never a credential: Node's messages hold host and port only). */
export function describeRequestError(e: unknown): string {
  const code = e instanceof MemberRequestError ? e.code : ((e as NodeJS.ErrnoException)?.code ?? "");
  const msg = e instanceof Error ? e.message : String(e);
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ETIMEDOUT":
      return e instanceof MemberRequestError ? msg.replace(/^no answer/, "timed out: no answer") : "connection timed out";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
    case "EPIPE":
      return "connection reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
  }
  if (TLS_CODES.test(code)) return `TLS handshake failed (${code}): ${msg}`;
  return msg || code || "request failed";
}

/** The failing checks of a /readyz answer ("[-]etcd failed: reason withheld"), trimmed for a message. */
function failedChecks(body: string): string {
  const lines = body
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("[-]"))
    .map((l) => l.slice(3));
  const text = lines.length ? lines.join("; ") : body.trim().split("\n")[0] ?? "";
  return text.length > 512 ? `${text.slice(0, 509)}...` : text;
}

export function healthFromProbe(o: ProbeOutcome): ConditionState {
  if ("error" in o) return { status: "False", reason: "Unreachable", message: `cannot reach the member's API server: ${describeRequestError(o.error)}` };
  if (o.status === 401) return { status: "False", reason: "Unauthorized", message: "the member's API server refused the kubeconfig's credentials (401 Unauthorized)" };
  if (o.status === 403) return { status: "False", reason: "Unauthorized", message: "the kubeconfig's identity may not read /readyz on the member (403 Forbidden)" };
  if (o.status >= 200 && o.status < 300) return { status: "True", reason: "Healthy", message: "/readyz ok" };
  const checks = failedChecks(o.body);
  return { status: "False", reason: "NotReady", message: `/readyz answered ${o.status}${checks ? `: ${checks}` : ""}` };
}

/**
 * Joined after a probe. Reached once (any answer but 401/403) stays True through later outages: health tells
 * those. Credentials refused is False at any time; no answer before the first contact is False too.
 */
export function joinedAfterProbe(prev: ConditionState, o: ProbeOutcome, server: string): ConditionState {
  if ("error" in o) {
    if (prev.status === "True") return prev;
    return { status: "False", reason: "Unreachable", message: `cannot reach ${server}: ${describeRequestError(o.error)}` };
  }
  if (o.status === 401 || o.status === 403) return { status: "False", reason: "Unauthorized", message: `${server} refused the kubeconfig's credentials (HTTP ${o.status})` };
  return { status: "True", reason: "Joined", message: `member reached at ${server}` };
}

/** Appended to Joined's message when other Secrets name the same profile. */
export function ignoredNote(namespace: string, ignored: readonly string[]): string {
  if (ignored.length === 0) return "";
  const names = ignored.map((n) => `${namespace}/${n}`).join(", ");
  return `; Secret${ignored.length > 1 ? "s" : ""} ${names} also name${ignored.length > 1 ? "" : "s"} this profile and ${ignored.length > 1 ? "are" : "is"} ignored (the older Secret wins)`;
}
