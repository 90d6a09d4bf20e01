/** Writing answers: objects in the negotiated form, and every failure as a Status. */
import type { ServerResponse } from "node:http";
import { stringify as toYAML } from "yaml";
import { internalError, isStatusError, type StatusError } from "../resources/rest.js";
import type { Request } from "./body.js";
import type { Response } from "./watch-stream.js";

export const apiHeaders = { "cache-control": "no-cache, private" } as const;

export function writeJSON(res: Response, code: number, body: unknown, headers: Record<string, string> = {}, req?: Request): void {
  const buf = Buffer.from(JSON.stringify(body));
  writeRaw(res, code, buf, { ...apiHeaders, "content-type": "application/json", ...headers }, req);
}

export function writeYAML(res: Response, code: number, body: unknown, headers: Record<string, string> = {}, req?: Request): void {
  // As Go's YAML writes it: keys sorted, and strings a YAML 1.1 reader would take for dates or booleans quoted.
  writeRaw(res, code, Buffer.from(toYAML(body, { version: "1.1", sortMapEntries: true })), { ...apiHeaders, "content-type": "application/yaml", ...headers }, req);
}

export function writeRaw(res: Response, code: number, buf: Buffer, headers: Record<string, string>, req?: Request): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  (res as ServerResponse).writeHead(code, { ...headers, "content-length": String(buf.length) });
  if (req?.method === "HEAD") res.end();
  else res.end(buf);
}

/** Any thrown value → a Status answer; anything that is not a StatusError is a 500 and is logged by the caller. */
export function writeError(res: Response, err: unknown, req?: Request): StatusError {
  const e = isStatusError(err) ? err : internalError(err);
  writeJSON(res, e.code, e.status, e.headers, req);
  return e;
}
