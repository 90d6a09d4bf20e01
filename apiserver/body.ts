/**
 * Request bodies: read with a size cap (3 MiB, as kube-apiserver), parsed by content type. A body that does not
 * parse is a 400, never a crash.
 */
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import { parse as parseYAML } from "yaml";
import { badRequest, requestEntityTooLarge, unsupportedMediaType, type PatchType } from "../resources/rest.js";

export const maxBodyBytes = 3 * 1024 * 1024;

export type Request = IncomingMessage | Http2ServerRequest;

export async function readBody(req: Request): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBodyBytes) throw requestEntityTooLarge("the server has received too large of a request body");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) {
      // Drain nothing more: the connection is answered and the rest discarded.
      throw requestEntityTooLarge("the server has received too large of a request body");
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const mediaType = (req: Request): string => String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();

/**
 * A create/update body of `kind`: JSON or YAML. What does not parse gets the decoder's words (`the object provided
 * is unrecognized (must be of type X): …`), as kube-apiserver answers it.
 */
export function parseObjectBody(req: Request, raw: Buffer, kind: string): unknown {
  const type = mediaType(req);
  if (type !== "" && type !== "application/json" && type !== "*/*" && type !== "application/yaml" && type !== "application/x-yaml") {
    throw unsupportedMediaType(["application/json", "application/yaml"]);
  }
  const unrecognized = (why: string) => badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; ${why}`);
  if (type === "application/yaml" || type === "application/x-yaml") {
    const doc = parseYamlBody(raw);
    if (doc === null || doc === undefined) throw unrecognized("json parse error: unexpected end of JSON input");
    return doc;
  }
  const text = raw.toString("utf8");
  const deep = tooDeep(text);
  if (deep) throw badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: invalid character '${deep}' exceeded max depth (${summarize(raw)})`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw unrecognized(`json parse error: ${goJSONError(e as Error)}${text ? ` (${summarize(raw)})` : ""}`);
  }
}

/**
 * Go's encoding/json (and sigs.k8s.io/json) refuse nesting deeper than 10,000 levels with this error, and so do
 * we, before parsing. (JSON.parse itself is not recursive; what the write path does with deep values is
 * resources/schema/deep.ts's business.)
 */
export const maxJSONDepth = 10_000;

/** The bracket that takes `text` past maxJSONDepth, if one does (strings skipped); checked before parsing. */
export function tooDeep(text: string): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxJSONDepth) return text[i];
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

/** apiserver's summarizeData: the first 30 bytes of a body quoted in a decode error (hex unless it starts with `{`). */
function summarize(raw: Buffer): string {
  if (raw.length === 0) return "<empty>";
  const head = raw.subarray(0, 30);
  const more = raw.length > 30 ? " ..." : "";
  return raw[0] === 0x7b ? `${head.toString("utf8")}${more}` : `${head.toString("hex")}${more}`;
}

/** Node's JSON.parse messages in the words of Go's encoding/json, which clients have seen for years. */
function goJSONError(e: Error): string {
  if (/Unexpected end of JSON input/i.test(e.message)) return "unexpected end of JSON input";
  const token = /Unexpected token '?(.)'?/.exec(e.message)?.[1];
  if (token !== undefined) return `invalid character '${token}' looking for beginning of value`;
  return e.message;
}

export const patchTypes: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/apply-patch+yaml": "apply",
};

/** The patch type from Content-Type; strategic merge (and anything else) is 415, as for custom resources. */
export function patchType(req: Request): PatchType {
  const t = patchTypes[mediaType(req)];
  if (!t) throw unsupportedMediaType(Object.keys(patchTypes));
  return t;
}

export function parsePatchBody(type: PatchType, raw: Buffer): unknown {
  if (raw.length === 0) throw badRequest("the body of the request is empty");
  return type === "apply" ? parseYamlBody(raw) : parseJSON(raw);
}

function parseJSON(raw: Buffer): unknown {
  // What evanphx/json-patch answers when the patch does not decode (depth past Go's limit included).
  if (tooDeep(raw.toString("utf8"))) throw badRequest("invalid JSON patch");
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (e) {
    throw badRequest(`json: ${(e as Error).message}`);
  }
}

function parseYamlBody(raw: Buffer): unknown {
  try {
    return parseYAML(raw.toString("utf8"), { maxAliasCount: 100 });
  } catch (e) {
    const message = (e as Error).message.split("\n")[0]!;
    // go-yaml's words for aliases that expand without bound ("billion laughs").
    if (/excessive alias count/i.test(message)) throw badRequest("error encoding patch: yaml: document contains excessive aliasing");
    throw badRequest(`yaml: ${message}`);
  }
}
