/**
 * Continue tokens, shaped like kube-apiserver's: base64url (no padding) of {"v":"meta.k8s.io/v1","rv":N,"start":S}
 * where N is the revision of the first page and S the next key relative to the listed prefix. Relative, so a
 * token only ever resumes inside the prefix it is used with. Opaque to clients; anything that does not decode is
 * InvalidContinue.
 */
import { StorageError } from "./interface.js";

const version = "meta.k8s.io/v1";

export interface ContinuePoint {
  /** The revision every page of this list reflects. */
  revision: number;
  /** The first key of the next page (absolute). */
  startKey: string;
}

export function encodeContinue(prefix: string, revision: number, nextKey: string): string {
  const start = nextKey.startsWith(prefix) ? nextKey.slice(prefix.length) : nextKey;
  return Buffer.from(JSON.stringify({ v: version, rv: revision, start }), "utf8").toString("base64url");
}

export function decodeContinue(prefix: string, token: string): ContinuePoint {
  const invalid = (why: string) => new StorageError("InvalidContinue", prefix, `invalid continue token: ${why}`);
  if (!/^[A-Za-z0-9_\-+/]+=*$/.test(token)) throw invalid("not base64");
  let parsed: unknown;
  try {
    // base64url decoding in Node also accepts the standard alphabet, so tokens survive either encoding.
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalid("not JSON");
  }
  if (parsed === null || typeof parsed !== "object") throw invalid("not an object");
  const { v, rv, start } = parsed as Record<string, unknown>;
  if (v !== version) throw invalid(`unknown version ${JSON.stringify(v)}`);
  if (typeof rv !== "number" || !Number.isSafeInteger(rv) || rv <= 0) throw invalid("bad resource version");
  if (typeof start !== "string") throw invalid("bad start key");
  return { revision: rv, startKey: prefix + start };
}

/** The first key after key in sort order: where the next page starts. */
export function keyAfter(key: string): string {
  return key + "\u0000";
}
