/**
 * The request pipeline, in kube-apiserver's filter order: audit id → authentication → request info →
 * in-flight limit → authorization → route (health, metrics, discovery, OpenAPI, resources). It runs on
 * node:http2's compatibility API, so one port serves HTTP/2 and HTTP/1.1 with the same code.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { forbidden, notAcceptable, pathNotFound, tooManyRequests, unauthorized, type ResourceREST, type UserInfo } from "../resources/rest.js";
import type { Request } from "./body.js";
import { aggregatedDiscovery, aggregatedDiscoveryRequested, apiGroup, DISCOVERY_MEDIA_TYPES, apiGroupList, apiResourceList, etagOf } from "./discovery.js";
import { handleResource } from "./handlers.js";
import { runChecks, type HealthCheck } from "./health.js";
import type { Metrics } from "./metrics.js";
import { requestInfo, type RequestInfo } from "./request-info.js";
import { apiHeaders, writeError, writeJSON, writeRaw } from "./respond.js";
import { requestTimedOut, requestTimeoutMs } from "./timeout.js";
import type { Response } from "./watch-stream.js";

export interface OpenAPIDocs {
  v2: { body: Buffer; etag: string };
  v3Index: Buffer;
  /** key: "apis/<group>/<version>" */
  v3: Map<string, { body: Buffer; etag: string; hash: string }>;
}

export interface AppDeps {
  group: string;
  version: string;
  resources: Map<string, ResourceREST>;
  /** null: credentials were presented and failed (401). */
  authenticate(req: Request): Promise<UserInfo | null>;
  authorize(user: UserInfo, info: RequestInfo): Promise<{ allowed: boolean; reason: string }>;
  forbiddenMessage(user: UserInfo, info: RequestInfo, reason?: string): string;
  checks: { healthz: HealthCheck[]; livez: HealthCheck[]; readyz: HealthCheck[] };
  openapi(): OpenAPIDocs | undefined;
  metrics: Metrics;
  log: Logger;
  /** Requests (watches excepted) served at once before 429. */
  maxInflight: number;
  version_info: Record<string, string>;
}

const healthPaths = /^\/(healthz|livez|readyz)(?:\/([^/]+))?$/;

export function createApp(deps: AppDeps): (req: Request, res: Response) => void {
  let inflight = 0;
  const rests = [...deps.resources.values()];

  return (req, res) => {
    const started = process.hrtime.bigint();
    const auditID = String(req.headers["audit-id"] ?? "") || randomUUID();
    res.setHeader("audit-id", auditID);
    const url = new URL(req.url ?? "/", "https://localhost");
    // The path as kube-apiserver routes it (Go's URL.Path): percent-decoded, dot segments kept (new URL() would
    // resolve `..` and leave `%2F` encoded: `/namespaces/../x` would list every namespace).
    const rawPath = (req.url ?? "/").split("?")[0] || "/";
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      path = rawPath;
    }
    const method = req.method ?? "GET";
    let user: UserInfo | undefined;
    let info: RequestInfo | undefined;
    let counted = false;

    const finish = () => {
      if (counted) inflight--;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const code = res.statusCode;
      if (info?.isResourceRequest) {
        const labels = { verb: info.verb.toUpperCase(), group: info.apiGroup, version: info.apiVersion, resource: info.resource, subresource: info.subresource, scope: info.name ? "resource" : info.namespace ? "namespace" : "cluster" };
        deps.metrics.requests.inc({ ...labels, code: String(code) });
        if (info.verb !== "watch") deps.metrics.duration.observe(labels, seconds);
      }
      deps.log.info({ user: user?.name, uid: user?.uid, verb: info?.verb ?? method.toLowerCase(), path, code, latencyMs: Math.round(seconds * 1000), auditID, proto: req.httpVersion }, "request");
    };
    res.on("close", finish);

    void (async () => {
      // Health is probed anonymously by kubelets and load balancers: answered before authentication.
      const health = healthPaths.exec(path);
      if (health && (method === "GET" || method === "HEAD")) {
        const kind = health[1] as "healthz" | "livez" | "readyz";
        const answer = await runChecks(kind, deps.checks[kind], health[2], url.searchParams);
        return writeRaw(res, answer.code, Buffer.from(answer.body), { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff", ...apiHeaders }, req);
      }
      const who = await deps.authenticate(req);
      if (who === null) throw unauthorized();
      user = who;
      info = requestInfo(method, path, url.searchParams);
      if (info.verb !== "watch") {
        if (inflight >= deps.maxInflight) throw tooManyRequests(1);
        inflight++;
        counted = true;
        const ms = requestTimeoutMs(url.searchParams);
        const timer = setTimeout(() => {
          if (!res.headersSent) writeError(res, requestTimedOut(), req);
        }, ms);
        timer.unref();
        res.on("close", () => clearTimeout(timer));
      }
      const decision = await deps.authorize(user, info);
      if (!decision.allowed) {
        throw forbidden(deps.forbiddenMessage(user, info, decision.reason), info.isResourceRequest ? { group: info.apiGroup, resource: info.resource } : undefined, info.name || undefined);
      }
      if (info.isResourceRequest) {
        if (info.apiGroup !== deps.group || info.apiVersion !== deps.version) throw pathNotFound();
        return handleResource(req, res, info, user, url.searchParams, {
          resources: deps.resources,
          onWatch: (d, reason) => {
            deps.metrics.watchers.inc(d);
            if (reason) deps.metrics.watchesEnded.inc({ reason });
          },
        });
      }
      return nonResource(req, res, path, url.searchParams, deps, rests);
    })().catch((err: unknown) => {
      const e = writeError(res, err, req);
      if (e.code >= 500) deps.log.error({ err, path, auditID }, "request failed");
    });
  };
}

async function nonResource(req: Request, res: Response, path: string, q: URLSearchParams, deps: AppDeps, rests: ResourceREST[]): Promise<void> {
  const { group, version } = deps;
  if (req.method !== "GET" && req.method !== "HEAD") throw pathNotFound();
  switch (path) {
    case "/apis": {
      const asked = aggregatedDiscoveryRequested(req.headers.accept);
      if (asked === undefined) throw notAcceptable(DISCOVERY_MEDIA_TYPES);
      if (asked === "plain") return writeJSON(res, 200, apiGroupList(group, version), {}, req);
      const body = Buffer.from(JSON.stringify(aggregatedDiscovery(asked, group, version, rests)));
      const etag = etagOf(body);
      const headers = { ...apiHeaders, "content-type": `application/json;g=apidiscovery.k8s.io;v=${asked};as=APIGroupDiscoveryList`, etag, vary: "Accept" };
      if (req.headers["if-none-match"] === etag) return writeRaw(res, 304, Buffer.alloc(0), headers, req);
      return writeRaw(res, 200, body, headers, req);
    }
    case `/apis/${group}`:
      return writeJSON(res, 200, apiGroup(group, version), {}, req);
    case `/apis/${group}/${version}`:
      return writeJSON(res, 200, apiResourceList(group, version, rests), {}, req);
    case "/version":
      return writeJSON(res, 200, deps.version_info, {}, req);
    case "/metrics": {
      const text = await deps.metrics.registry.metrics();
      return writeRaw(res, 200, Buffer.from(text), { "content-type": deps.metrics.registry.contentType }, req);
    }
    case "/openapi/v2":
      return serveOpenAPIv2(req, res, deps);
    case "/openapi/v3": {
      const docs = deps.openapi();
      if (!docs) throw pathNotFound();
      return writeRaw(res, 200, docs.v3Index, { ...apiHeaders, "content-type": "application/json" }, req);
    }
  }
  if (path.startsWith("/openapi/v3/")) {
    const doc = deps.openapi()?.v3.get(path.slice("/openapi/v3/".length));
    if (!doc) throw pathNotFound();
    // Any hash gets the document (never a redirect: hubs turn 3xx into 502); the current hash may be cached forever.
    const immutable = q.get("hash") === doc.hash;
    const headers = { "content-type": "application/json", etag: doc.etag, "cache-control": immutable ? "public, immutable" : "no-cache, private" };
    if (req.headers["if-none-match"] === doc.etag) return writeRaw(res, 304, Buffer.alloc(0), headers, req);
    return writeRaw(res, 200, doc.body, headers, req);
  }
  throw pathNotFound();
}

function serveOpenAPIv2(req: Request, res: Response, deps: AppDeps): void {
  const docs = deps.openapi();
  if (!docs) throw pathNotFound();
  const headers = { "content-type": "application/json", etag: docs.v2.etag, vary: "Accept", ...apiHeaders };
  if (req.headers["if-none-match"] === docs.v2.etag) return writeRaw(res, 304, Buffer.alloc(0), headers, req);
  writeRaw(res, 200, docs.v2.body, headers, req);
}
