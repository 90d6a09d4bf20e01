/**
 * URLs as Go's net/url parses them, for kube's CEL url library: `isURL` and `format.uri()` accept what
 * url.ParseRequestURI accepts, `url()` then reads the parts as url.Parse does (the fragment split off). Errors
 * read as Go's (`parse "x": invalid URI for request`). Not modelled: IPv6 zone and literal checks inside
 * brackets, and the userinfo (kept out of every getter, as kube's library has none for it).
 */

export interface GoURL {
  scheme: string;
  /** Non-empty for `mailto:x` style URLs; then there is no host or path. */
  opaque: string;
  host: string;
  /** As written (still escaped). */
  rawPath: string;
  rawQuery: string;
}

/** url.ParseRequestURI (`viaRequest`) or url.Parse; throws Error with Go's message. */
export function parseGoURL(raw: string, viaRequest: boolean): GoURL {
  try {
    let rest = raw;
    if (!viaRequest) {
      const hash = rest.indexOf("#");
      if (hash >= 0) {
        unescape(rest.slice(hash + 1), "fragment");
        rest = rest.slice(0, hash);
      }
    }
    return parse(rest, viaRequest);
  } catch (e) {
    throw new Error(`parse ${JSON.stringify(raw)}: ${(e as Error).message}`);
  }
}

function parse(raw: string, viaRequest: boolean): GoURL {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error("net/url: invalid control character in URL");
  if (raw === "" && viaRequest) throw new Error("empty url");
  const u: GoURL = { scheme: "", opaque: "", host: "", rawPath: "", rawQuery: "" };
  if (raw === "*") return { ...u, rawPath: "*" };
  let rest = raw;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw);
  if (raw.startsWith(":")) throw new Error("missing protocol scheme");
  if (m) {
    u.scheme = m[1]!.toLowerCase();
    rest = raw.slice(m[0].length);
  }
  if (rest.endsWith("?") && rest.indexOf("?") === rest.length - 1) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf("?");
    if (q >= 0) [rest, u.rawQuery] = [rest.slice(0, q), rest.slice(q + 1)];
  }
  if (!rest.startsWith("/")) {
    if (u.scheme !== "") return { ...u, opaque: rest };
    if (viaRequest) throw new Error("invalid URI for request");
    if (rest.split("/", 1)[0]!.includes(":")) throw new Error("first path segment in URL cannot contain colon");
  }
  if ((u.scheme !== "" || (!viaRequest && !rest.startsWith("///"))) && rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? "" : rest.slice(slash);
    u.host = parseAuthority(authority);
  }
  unescape(rest, "path");
  u.rawPath = rest;
  return u;
}

function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf("@");
  if (at >= 0 && !/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(authority.slice(0, at))) throw new Error("net/url: invalid userinfo");
  const host = authority.slice(at + 1);
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0) throw new Error("missing ']' in host");
    checkPort(host.slice(close + 1));
  } else {
    const colon = host.lastIndexOf(":");
    if (colon >= 0) checkPort(host.slice(colon));
  }
  unescape(host, "host");
  return host;
}

function checkPort(colonPort: string): void {
  if (!/^(:[0-9]*)?$/.test(colonPort)) throw new Error(`invalid port ${JSON.stringify(colonPort)} after host`);
}

type Mode = "path" | "host" | "fragment" | "query";

const HOST_OK = /[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/;

/** Go's unescape: the decoded text, or Go's error for a bad `%` escape or a character a host may not hold. */
function unescape(s: string, mode: Mode): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      if (mode === "host" && parseInt(hex[0]!, 16) < 8 && hex !== "25") throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === "+" && mode === "query") bytes.push(0x20);
    else {
      if (mode === "host" && c.charCodeAt(0) < 0x80 && !HOST_OK.test(c)) throw new Error(`invalid character ${JSON.stringify(c)} in host name`);
      bytes.push(...Buffer.from(c));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

// Bytes a path may carry unescaped (shouldEscape with encodePath false, or validEncoded's extra set).
const PATH_OK = /^[A-Za-z0-9\-_.~$&+,/:;=@!'()*[\]]$/;

/** URL.EscapedPath: the path as written when that is a valid encoding, else the decoded path re-escaped. */
export function escapedPath(u: GoURL): string {
  if (u.rawPath === "*") return "*";
  if ([...u.rawPath].every((c) => c === "%" || PATH_OK.test(c))) return u.rawPath;
  let out = "";
  for (const b of Buffer.from(unescape(u.rawPath, "path"))) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && PATH_OK.test(c) && !"!'()*[]".includes(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** URL.Hostname and URL.Port: a trailing `:digits` is the port; IPv6 brackets are dropped. */
export function splitHostPort(host: string): { hostname: string; port: string } {
  const colon = host.lastIndexOf(":");
  let [hostname, port] = [host, ""];
  if (colon >= 0 && /^:[0-9]*$/.test(host.slice(colon)) && (!host.startsWith("[") || host.lastIndexOf("]") < colon)) {
    [hostname, port] = [host.slice(0, colon), host.slice(colon + 1)];
  }
  if (hostname.startsWith("[") && hostname.endsWith("]")) hostname = hostname.slice(1, -1);
  return { hostname, port };
}

/** url.ParseQuery: pairs with a `;` or a bad escape are dropped, as Go drops them (reporting an error kube ignores). */
export function parseQuery(rawQuery: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of rawQuery.split("&")) {
    if (part === "" || part.includes(";")) continue;
    const eq = part.indexOf("=");
    const [k, v] = eq < 0 ? [part, ""] : [part.slice(0, eq), part.slice(eq + 1)];
    try {
      const key = unescape(k, "query");
      const value = unescape(v, "query");
      out.set(key, [...(out.get(key) ?? []), value]);
    } catch {
      // Dropped, as url.ParseQuery drops it.
    }
  }
  return out;
}
