/**
 * The identity the hub's front proxy asserts in X-Remote-* headers (k8s.io/apiserver's requestheader
 * authenticator). The headers count only over a client certificate that x509.ts verified against the
 * requestheader CA, with an allowed CN; the chain checks that before reading them.
 */
import type { RequestHeaderConfig } from "../auth-config.js";
import { firstHeader, headerValues } from "./request.js";
import type { UserInfo } from "./user.js";

const DEFAULT_REQUESTHEADER_NAMES = ["x-remote-user", "x-remote-uid", "x-remote-group"];
const DEFAULT_EXTRA_PREFIX = "x-remote-extra-";

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

/** The headers to strip: those the hub configures plus the conventional X-Remote-* names. */
export function strippedHeaderTest(rh: RequestHeaderConfig | undefined): (lowerName: string) => boolean {
  const names = new Set(DEFAULT_REQUESTHEADER_NAMES);
  const prefixes = [DEFAULT_EXTRA_PREFIX];
  if (rh) {
    for (const n of [...rh.usernameHeaders, ...rh.uidHeaders, ...rh.groupHeaders]) names.add(n.toLowerCase());
    for (const p of rh.extraHeaderPrefixes) prefixes.push(p.toLowerCase());
  }
  return (n) => names.has(n) || prefixes.some((p) => n.startsWith(p));
}
