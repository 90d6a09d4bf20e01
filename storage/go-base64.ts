/**
 * Go's base64.RawURLEncoding.DecodeString, for its errors: kube-apiserver words a continue token that is no
 * base64 as `illegal base64 data at input byte N`, N counting bytes of the token as sent. The URL-safe alphabet
 * only, no padding (`=` is an illegal byte), CR and LF skipped, trailing bits not checked (not Strict).
 */

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const values = new Map([...alphabet].map((c, i) => [c.charCodeAt(0), i]));

export type Base64Result = { bytes: Buffer } | { error: string };

export function decodeRawURLBase64(s: string): Base64Result {
  const src = Buffer.from(s, "utf8");
  const out: number[] = [];
  let quantum: number[] = [];
  const flush = () => {
    const [a = 0, b = 0, c = 0, d = 0] = quantum;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out.push(...[(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff].slice(0, quantum.length - 1));
    quantum = [];
  };
  for (let i = 0; i < src.length; i++) {
    const byte = src[i]!;
    const v = values.get(byte);
    if (v === undefined) {
      if (byte === 0x0a || byte === 0x0d) continue;
      return { error: `illegal base64 data at input byte ${i}` };
    }
    quantum.push(v);
    if (quantum.length === 4) flush();
  }
  // One character left over carries no whole byte: the error names where that quantum began (newlines included).
  if (quantum.length === 1) return { error: `illegal base64 data at input byte ${src.length - 1}` };
  if (quantum.length > 1) flush();
  return { bytes: Buffer.from(out) };
}
