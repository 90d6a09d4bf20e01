/**
 * The OpenAPI documents we serve, built once from the resource descriptors and serialized with the validators
 * clients use: the hub fetches /openapi/v2 about once a minute with If-None-Match, and kubectl caches v3
 * documents by the hash in the index's serverRelativeURL (sha512, upper-case hex, as kube-apiserver computes).
 */
import { createHash } from "node:crypto";
import type { ResourceDescriptor } from "../resources/descriptor.js";
import { buildV2, type DocInfo } from "./v2.js";
import { buildV3 } from "./v3.js";

export { PATCH_TYPES } from "./routes.js";
export { definitionName } from "./names.js";
export type { DocInfo } from "./v2.js";

export interface SerializedDoc {
  body: Buffer;
  /** Quoted, ready for the ETag header. */
  etag: string;
}

export interface V3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

export interface OpenAPIDocs {
  v2: SerializedDoc;
  /** The /openapi/v3 index, serialized (what the handler writes). */
  v3Index: Buffer;
  /** The same index as an object. */
  v3IndexDocument: V3Index;
  /** Keyed "apis/<group>/<version>", the index path (without /openapi/v3/). */
  v3: Map<string, SerializedDoc & { hash: string }>;
}

const DEFAULT_INFO: DocInfo = { title: "clusterset-apiserver", version: "v0.1.0" };

function serialize(doc: unknown): SerializedDoc & { hash: string } {
  const body = Buffer.from(JSON.stringify(doc));
  const hash = createHash("sha512").update(body).digest("hex").toUpperCase();
  return { body, hash, etag: `"${hash}"` };
}

export function buildOpenAPI(resources: readonly ResourceDescriptor[], info: DocInfo = DEFAULT_INFO): OpenAPIDocs {
  const v2 = serialize(buildV2(resources, info));

  const byGroupVersion = new Map<string, ResourceDescriptor[]>();
  for (const d of resources) {
    const key = `apis/${d.group}/${d.version}`;
    byGroupVersion.set(key, [...(byGroupVersion.get(key) ?? []), d]);
  }
  const v3 = new Map<string, SerializedDoc & { hash: string }>();
  const index: V3Index = { paths: {} };
  for (const [key, rs] of byGroupVersion) {
    const doc = serialize(buildV3(rs, info));
    v3.set(key, doc);
    index.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
  }
  return { v2: { body: v2.body, etag: v2.etag }, v3Index: Buffer.from(JSON.stringify(index)), v3IndexDocument: index, v3 };
}
