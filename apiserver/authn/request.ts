/** The request as authentication reads it: its raw headers (repeated ones kept apart) and its TLS socket. */

/** What authentication needs of an `IncomingMessage` or `Http2ServerRequest`. */
export interface AuthnRequest {
  /** Name/value pairs as received; repeated headers stay separate here (unlike `headers`). */
  rawHeaders: string[];
  headers?: { [name: string]: unknown };
  /** A TLSSocket (HTTP/1.1) or the HTTP/2 stream's socket proxy; anything else has no certificate. */
  socket?: unknown;
}

export function headerValues(raw: string[], name: string): string[] {
  const lname = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === lname) values.push(raw[i + 1]!);
  return values;
}

/** The first value of the first listed header whose first value is non-empty (Go's `Header.Get` per name). */
export function firstHeader(raw: string[], names: string[]): string {
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
export function stripHeaders(req: AuthnRequest, test: (lowerName: string) => boolean): void {
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
