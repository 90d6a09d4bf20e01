/**
 * Continue tokens, shaped like kube-apiserver's: base64url (no padding) of {"v":"meta.k8s.io/v1","rv":N,"start":S}
 * where N is the revision of the first page and S the next key relative to the listed prefix. Relative, so a
 * token only ever resumes inside the prefix it is used with. Opaque to clients.
 *
 * Decoding follows k8s.io/apiserver's storage.DecodeContinue step by step, and a token it refuses is
 * InvalidContinue with its message word for word (Go's base64 and encoding/json errors included): `continue key
 * is not valid: illegal base64 data at input byte 3`, `… encoded start key empty (version meta.k8s.io/v1)`, ….
 */
import { decodeRawURLBase64 } from "./go-base64.js";
import { decodeContinueJSON } from "./continue-json.js";
import { StorageError } from "./interface.js";

const version = "meta.k8s.io/v1";
const invalidKey = "continue key is not valid";

export interface ContinuePoint {
  /** The revision every page of this list reflects; undefined (a negative rv) asks for the newest state. */
  revision: number | undefined;
  /** The first key of the next page (absolute). */
  startKey: string;
}

export function encodeContinue(prefix: string, revision: number, nextKey: string): string {
  const start = nextKey.startsWith(prefix) ? nextKey.slice(prefix.length) : nextKey;
  return Buffer.from(JSON.stringify({ v: version, rv: revision, start }), "utf8").toString("base64url");
}

/** path.Clean(key) === key, for a key starting with "/": no empty, "." or ".." segment, no trailing slash. */
function isClean(key: string): boolean {
  return key === "/" || key.slice(1).split("/").every((s) => s !== "" && s !== "." && s !== "..");
}

export function decodeContinue(prefix: string, token: string): ContinuePoint {
  const invalid = (message: string) => new StorageError("InvalidContinue", prefix, message);
  const data = decodeRawURLBase64(token);
  if ("error" in data) throw invalid(`${invalidKey}: ${data.error}`);
  const decoded = decodeContinueJSON(data.bytes);
  if ("error" in decoded) throw invalid(`${invalidKey}: ${decoded.error}`);
  const { v, rv, start } = decoded.token;
  if (v !== version) throw invalid(`${invalidKey}: server does not recognize this encoded version ${v}`);
  if (rv === 0n) throw invalid(`${invalidKey}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`);
  if (start === "") throw invalid(`${invalidKey}: encoded start key empty (version meta.k8s.io/v1)`);
  // A start key that climbs out of the prefix (`../x`, `a//b`) is refused, as path.Clean would change it.
  const key = start.startsWith("/") ? start : `/${start}`;
  if (!isClean(key)) throw invalid(`${invalidKey}: ${start}`);
  return { revision: rv < 0n ? undefined : Number(rv), startKey: prefix + key.slice(1) };
}

/** The first key after key in sort order: where the next page starts. */
export function keyAfter(key: string): string {
  return key + "\u0000";
}
