/**
 * Content negotiation: which form of an object the client asked for. kube-apiserver serves JSON, YAML, and the
 * meta.k8s.io transforms (Table, PartialObjectMetadata[List]); protobuf, which the hub's controllers list first,
 * is not offered, so we choose the next JSON entry rather than answering 406.
 */
import { notAcceptable } from "../resources/rest.js";

export type Output =
  | { kind: "json" }
  | { kind: "yaml" }
  | { kind: "table"; version: "v1" | "v1beta1" }
  | { kind: "partial"; version: "v1" | "v1beta1"; list: boolean };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || header.trim() === "") return [{ type: "*/*", params: {} }];
  return header.split(",").map((part) => {
    const [type, ...rest] = part.split(";").map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const i = p.indexOf("=");
      if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, "");
    }
    return { type: (type ?? "").toLowerCase(), params };
  });
}

const supported = [
  "application/json",
  "application/yaml",
  "application/json;as=Table;v=v1;g=meta.k8s.io",
  "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io",
  "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
];

/** Picks the output for a request; `list` says whether the answer is a collection. Throws 406. */
export function negotiate(accept: string | undefined, list: boolean): Output {
  for (const r of parseAccept(accept)) {
    const { as, g, v } = r.params;
    if (r.type === "application/yaml" && !as) return { kind: "yaml" };
    if (r.type !== "application/json" && r.type !== "*/*" && r.type !== "application/*") continue;
    if (!as) return { kind: "json" };
    if (g !== "meta.k8s.io" || (v !== "v1" && v !== "v1beta1")) continue;
    if (as === "Table") return { kind: "table", version: v };
    if (as === "PartialObjectMetadata" && !list) return { kind: "partial", version: v, list: false };
    if (as === "PartialObjectMetadataList" && list) return { kind: "partial", version: v, list: true };
    // A watch asks for PartialObjectMetadata (the event objects), with or without List.
    if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") continue;
  }
  throw notAcceptable(supported);
}

/** For a watch, the event objects are single objects whatever the client lists. */
export function negotiateWatch(accept: string | undefined): Output {
  for (const r of parseAccept(accept)) {
    const { as, g, v } = r.params;
    if (r.type === "application/json" || r.type === "*/*" || r.type === "application/*") {
      if (!as) return { kind: "json" };
      if (g !== "meta.k8s.io" || (v !== "v1" && v !== "v1beta1")) continue;
      if (as === "Table") return { kind: "table", version: v };
      if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") return { kind: "partial", version: v, list: false };
    }
  }
  throw notAcceptable(supported);
}
