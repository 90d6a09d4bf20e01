/**
 * REST verbs → a resource's REST surface: reads the query and body, calls the resource, writes the answer in the
 * form the client negotiated. Knows resources only through resources/rest.ts.
 */
import {
  badRequest,
  methodNotSupported,
  notFound,
  pathNotFound,
  success,
  type KubeList,
  type KubeObject,
  type RequestContext,
  type ResourceREST,
  type StatusError,
  type UserInfo,
  type WatchEvent,
} from "../resources/rest.js";
import { parseObjectBody, parsePatchBody, patchType, readBody, type Request } from "./body.js";
import { negotiate, negotiateWatch, type Output } from "./negotiate.js";
import { deleteOptions, dryRun, fieldValidation, listQuery } from "./query.js";
import type { RequestInfo } from "./request-info.js";
import { listJSON, objectJSON } from "./encode.js";
import { apiHeaders, writeJSON, writeRaw, writeYAML } from "./respond.js";
import { partialObjectMetadata, partialObjectMetadataList, toTable, type IncludeObject } from "./table.js";
import { encodeEvent, errorEventLine, serveWatch, type Response } from "./watch-stream.js";

export interface HandlerDeps {
  resources: Map<string, ResourceREST>;
  /** Called when a watch opens and ends, for metrics. */
  /** A watch opened (+1) or ended (-1, with why). */
  onWatch?: (delta: 1 | -1, endReason?: string) => void;
}

const includeObject = (q: URLSearchParams): IncludeObject => {
  const v = q.get("includeObject");
  return v === "None" || v === "Object" ? v : "Metadata";
};

function warningHeaders(ctx: RequestContext): Record<string, string> {
  if (ctx.warnings.length === 0) return {};
  return { warning: ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") };
}

/** List metadata as a typed meta.k8s.io list marshals it: an empty continue is left out (omitempty). */
function typedListMeta(m: Record<string, unknown>): Record<string, unknown> {
  const { continue: c, ...rest } = m;
  return c ? { ...rest, continue: c } : rest;
}

/** Writes one object or a list in the negotiated output. */
function writeOutput(req: Request, res: Response, code: number, rest: ResourceREST, out: Output, body: KubeObject | { metadata: Record<string, unknown>; items: KubeObject[] }, q: URLSearchParams, headers: Record<string, string>): void {
  const isList = Array.isArray((body as { items?: unknown }).items);
  switch (out.kind) {
    case "json":
      return isList
        ? writeRaw(res, code, listJSON(body as KubeList), { ...apiHeaders, "content-type": "application/json", ...headers }, req)
        : writeRaw(res, code, Buffer.from(objectJSON(body as KubeObject)), { ...apiHeaders, "content-type": "application/json", ...headers }, req);
    case "yaml":
      return writeYAML(res, code, body, headers, req);
    case "table": {
      const items = isList ? (body as { items: KubeObject[] }).items : [body as KubeObject];
      const meta = isList ? typedListMeta((body as { metadata: Record<string, unknown> }).metadata) : { resourceVersion: (body as KubeObject).metadata.resourceVersion };
      return writeJSON(res, code, toTable(rest.columns, items, meta, { version: out.version, includeObject: includeObject(q) }), headers, req);
    }
    case "partial":
      return writeJSON(
        res,
        code,
        isList
          ? partialObjectMetadataList((body as { items: KubeObject[] }).items, typedListMeta((body as { metadata: Record<string, unknown> }).metadata), out.version)
          : partialObjectMetadata(body as KubeObject, out.version),
        headers,
        req,
      );
  }
}

/** The event encoder for a watch in the negotiated form; its key caches the bytes on the shared event. */
function watchEncoder(rest: ResourceREST, out: Output, q: URLSearchParams): (ev: WatchEvent) => Buffer {
  switch (out.kind) {
    case "table": {
      const inc = includeObject(q);
      const key = `table;${out.version};${inc}`;
      return (ev) =>
        encodeEvent(ev, key, (e) =>
          e.type === "BOOKMARK" ? e.object : toTable(rest.columns, [e.object], { resourceVersion: e.object.metadata.resourceVersion }, { version: out.version, includeObject: inc }),
        );
    }
    case "partial": {
      // A bookmark too: kube-apiserver converts its empty object like any other (kind PartialObjectMetadata).
      const key = `partial;${out.version}`;
      return (ev) => encodeEvent(ev, key, (e) => partialObjectMetadata(e.object, out.version));
    }
    default: {
      // A bookmark's object is an empty object of the resource's kind (client-go's decoder needs kind and
      // apiVersion, or it drops the watch: a watch-list would never see its initial-events-end marker).
      const { kind, group, version } = rest.descriptor;
      const typeMeta = { kind, apiVersion: `${group}/${version}` };
      return (ev) =>
        ev.type === "BOOKMARK" ? encodeEvent(ev, "json", (e) => ({ ...typeMeta, ...e.object })) : encodeEvent(ev, "json", (e) => e.object, objectJSON);
    }
  }
}

/** The options kind each writing verb's query is decoded as (its 422s name it). */
const optionsKinds: Record<string, string> = { create: "CreateOptions", update: "UpdateOptions", patch: "PatchOptions", delete: "DeleteOptions", deletecollection: "DeleteOptions" };

/** A random watch timeout between 30 and 60 minutes, as kube-apiserver spreads its watch reconnects. */
const defaultWatchTimeout = () => Math.floor(1800 * (1 + Math.random()));

export async function handleResource(req: Request, res: Response, info: RequestInfo, user: UserInfo, q: URLSearchParams, deps: HandlerDeps): Promise<void> {
  const rest = deps.resources.get(info.resource);
  if (!rest) throw pathNotFound();
  const d = rest.descriptor;
  const gr = { group: d.group, resource: d.plural };
  const sub = info.subresource || undefined;
  // A subresource the resource does not have: the object path does not exist (as for a CRD without it).
  if (sub && !(sub in rest.subresourceVerbs())) throw notFound(gr, info.name);
  if (info.parts.length > 2) throw pathNotFound();
  // A namespaced resource is served without a namespace (`/placementdecisions`, `/namespaces//placementdecisions`)
  // for list and watch only; kube-apiserver's CRD handler passes anything else on to its 404.
  if (d.namespaced && !info.namespace && !["list", "watch"].includes(info.verb)) throw pathNotFound();
  // A verb the path does not serve: 405 before anything reads the name (kube-apiserver's handlers do the same).
  const allowed = sub ? rest.subresourceVerbs()[sub]! : rest.verbs();
  if (!allowed.includes(info.verb)) throw methodNotSupported(gr, info.verb);
  // An update or patch of the collection path (`placementdecisions/`, `placementdecisions//status`): kube-apiserver's
  // handlers ask for the URL's name first.
  if ((info.verb === "update" || info.verb === "patch") && info.name === "") throw badRequest("name must be provided");
  // A create reads its object from the body: the URL's name, if any, is not used (as kube-apiserver's
  // CreateResource, which asks for no name), so `POST …/placementdecisions/..` creates the body's object.
  const name = info.verb === "create" && !sub ? "" : info.name;
  // Path segments that are no names (k8s.io/apiserver's IsValidPathSegmentName): 400, as kube-apiserver answers
  // for a name; for a namespace it answers a 500 (its storage refuses the key), here a 400 too.
  for (const [what, v] of [["Name", name], ["Namespace", info.namespace]] as const) {
    if (v === "." || v === "..") throw badRequest(`${what} parameter invalid: ${JSON.stringify(v)}: may not be '${v}'`);
  }

  const ctx: RequestContext = {
    user,
    namespace: info.namespace,
    dryRun: info.verb in optionsKinds ? dryRun(q, optionsKinds[info.verb]!) : false,
    fieldValidation: fieldValidation(q, ["create", "update", "patch"].includes(info.verb) ? optionsKinds[info.verb] : undefined),
    warnings: [],
  };
  const fm = q.get("fieldManager");
  if (fm) ctx.fieldManager = fm;
  // Writes without a fieldManager are recorded under the User-Agent's first segment (managerOrUserAgent).
  const ua = req.headers["user-agent"];
  if (typeof ua === "string") ctx.userAgent = ua;
  const accept = req.headers.accept;

  switch (info.verb) {
    case "get": {
      // kube-apiserver parses a get's resourceVersion too, and answers one that is no uint64 with a reason-less 500
      // (its wart); here the same words with 400.
      checkGetResourceVersion(q.get("resourceVersion"));
      const out = negotiate(accept, false);
      const obj = await rest.get(ctx, info.name, sub);
      return writeOutput(req, res, 200, rest, out, obj, q, {});
    }
    case "list": {
      const out = negotiate(accept, true);
      const list = await rest.list(ctx, listQuery(q));
      return writeOutput(req, res, 200, rest, out, list, q, {});
    }
    case "watch":
      return watch(res, rest, ctx, q, accept, deps);
    case "create": {
      const out = negotiate(accept, false);
      const body = parseObjectBody(req, await readBody(req), d.kind);
      const obj = await rest.create(ctx, body);
      return writeOutput(req, res, 201, rest, out, obj, q, warningHeaders(ctx));
    }
    case "update": {
      const out = negotiate(accept, false);
      const body = parseObjectBody(req, await readBody(req), d.kind);
      const { object, created } = await rest.update(ctx, info.name, body, sub);
      return writeOutput(req, res, created ? 201 : 200, rest, out, object, q, warningHeaders(ctx));
    }
    case "patch": {
      const out = negotiate(accept, false);
      const type = patchType(req);
      const patch = parsePatchBody(type, await readBody(req));
      // PatchOptions.force as kube decodes a *bool parameter: absent is unset (only apply may set it), "0" and
      // "false" are false, anything else (even empty) true.
      const force = q.get("force");
      const forceOpt = force === null ? undefined : !(force === "0" || force.toLowerCase() === "false");
      const { object, created } = await rest.patch(ctx, info.name, type, patch, sub, forceOpt);
      return writeOutput(req, res, created ? 201 : 200, rest, out, object, q, warningHeaders(ctx));
    }
    case "delete": {
      const out = negotiate(accept, false);
      const raw = await readBody(req);
      const opts = deleteOptions(q, raw.length ? parseObjectBody(req, raw, "DeleteOptions") : undefined);
      const { object, gone } = await rest.delete(ctx, info.name, opts);
      // Gone at once: a Success Status, as for custom resources; held by finalizers: the object, marked.
      if (gone) return writeJSON(res, 200, success({ name: info.name, group: d.group, kind: d.plural, uid: object.metadata.uid! }), {}, req);
      return writeOutput(req, res, 200, rest, out, object, q, {});
    }
    case "deletecollection": {
      const out = negotiate(accept, true);
      const raw = await readBody(req);
      const opts = deleteOptions(q, raw.length ? parseObjectBody(req, raw, "DeleteOptions") : undefined);
      const list = await rest.deleteCollection(ctx, listQuery(q), opts);
      return writeOutput(req, res, 200, rest, out, list, q, {});
    }
    default:
      throw methodNotSupported(gr, info.verb);
  }
}

async function watch(res: Response, rest: ResourceREST, ctx: RequestContext, q: URLSearchParams, accept: string | undefined, deps: HandlerDeps): Promise<void> {
  const out = negotiateWatch(accept);
  const query = listQuery(q);
  let w;
  try {
    w = await rest.watch(ctx, query);
  } catch (e) {
    // A resume point older than the history is not an HTTP error: 200, then one ERROR event (410 Expired).
    if ((e as StatusError).code === 410) {
      const line = errorEventLine(e as StatusError);
      return writeRaw(res, 200, line, { ...apiHeaders, "content-type": "application/json" });
    }
    throw e;
  }
  deps.onWatch?.(1);
  const timeoutSeconds = query.timeoutSeconds && query.timeoutSeconds > 0 ? query.timeoutSeconds : defaultWatchTimeout();
  await serveWatch(res, w, {
    timeoutSeconds,
    headers: { ...apiHeaders },
    encode: watchEncoder(rest, out, q),
    onEnd: (reason) => deps.onWatch?.(-1, reason),
  });
}

function checkGetResourceVersion(rv: string | null): void {
  if (rv === null || rv === "") return;
  const why = !/^\d+$/.test(rv) ? "invalid syntax" : BigInt(rv) > 18446744073709551615n ? "value out of range" : undefined;
  if (why) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: ${why}`);
}
