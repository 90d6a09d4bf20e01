/**
 * What a simulated member answers for Works: discovery of a few built-in kinds (`/api/v1`, `/apis/apps/v1`),
 * server-side apply PATCH (fieldManager required; an unchanged apply writes nothing, as kube-apiserver's),
 * GET, DELETE (a Namespace takes its objects along), and list+watch per kind across namespaces. Enough of
 * kube-apiserver for the dispatcher and its benchmark; not a field-ownership implementation (the applied body
 * replaces what was there, status excepted).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { SimCollection, type SimObject } from "./sim-collection.js";
import { isPlainObject } from "../../lib/objects.js";

interface Kind {
  kind: string;
  namespaced: boolean;
}

const KINDS: Record<string, Record<string, Kind>> = {
  v1: {
    namespaces: { kind: "Namespace", namespaced: false },
    configmaps: { kind: "ConfigMap", namespaced: true },
    secrets: { kind: "Secret", namespaced: true },
    services: { kind: "Service", namespaced: true },
    serviceaccounts: { kind: "ServiceAccount", namespaced: true },
  },
  "apps/v1": { deployments: { kind: "Deployment", namespaced: true } },
};

type Obj = Record<string, unknown>;

export class SimApplied {
  readonly #collections = new Map<string, SimCollection>();

  constructor(private readonly nextRv: () => number) {}

  #collection(gv: string, resource: string): SimCollection {
    const k = `${gv}/${resource}`;
    let c = this.#collections.get(k);
    if (!c) this.#collections.set(k, (c = new SimCollection(this.nextRv, (o) => o)));
    return c;
  }

  /** The stored object, e.g. get("v1", "configmaps", "default", "x"); cluster-scoped: namespace "". */
  get(gv: string, resource: string, namespace: string, name: string): SimObject | undefined {
    return this.#collection(gv, resource).get(namespace ? `${namespace}/${name}` : name);
  }

  /** A member-side edit (someone else's write): `change` returns the new object. */
  edit(gv: string, resource: string, namespace: string, name: string, change: (o: Obj) => Obj): void {
    const key = namespace ? `${namespace}/${name}` : name;
    const c = this.#collection(gv, resource);
    const cur = c.get(key);
    if (!cur) throw new Error(`no ${resource} ${key} on the simulated member`);
    const { metadata, ...rest } = change(structuredClone(cur) as Obj) as SimObject;
    c.upsert(key, rest, metadata);
  }

  /** Number of objects applied and still there, over all kinds. */
  count(): number {
    let n = 0;
    for (const c of this.#collections.values()) n += c.size;
    return n;
  }

  dropWatches(destroy: boolean): void {
    for (const c of this.#collections.values()) c.dropWatches(destroy);
  }

  /** Answers the request when the path is one of ours; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, path: string, q: URLSearchParams, rv: number, count: (k: string) => void): boolean {
    if (req.method === "GET" && (path === "/api/v1" || path === "/apis/apps/v1")) {
      count("discovery");
      const gv = path === "/api/v1" ? "v1" : "apps/v1";
      const resources = Object.entries(KINDS[gv]!).map(([name, k]) => ({ name, kind: k.kind, namespaced: k.namespaced, verbs: ["get", "list", "watch", "patch", "delete"] }));
      if (gv === "v1") resources.push({ name: "nodes", kind: "Node", namespaced: false, verbs: ["get", "list", "watch"] });
      return json(res, 200, { kind: "APIResourceList", apiVersion: "v1", groupVersion: gv, resources });
    }
    const m = /^\/(api\/v1|apis\/apps\/v1)\/(.+)$/.exec(path);
    if (!m) return false;
    const gv = m[1] === "api/v1" ? "v1" : "apps/v1";
    const parts = m[2]!.split("/").map(decodeURIComponent);
    let namespace = "";
    if (parts[0] === "namespaces" && parts.length >= 3) {
      namespace = parts[1]!;
      parts.splice(0, 2);
    }
    const [resource, name, sub] = parts;
    const kind = resource ? KINDS[gv]?.[resource] : undefined;
    if (!kind || sub !== undefined || (kind.namespaced === !namespace && name !== undefined)) return false;
    const c = this.#collection(gv, resource!);
    if (name === undefined) {
      if (req.method !== "GET") return status(res, 405, "MethodNotAllowed", "collections are read-only here");
      const watching = q.get("watch") === "true" || q.get("watch") === "1";
      count(watching ? "watch" : "list");
      if (watching) c.watch(res, gv, q.get("resourceVersion"), Number(q.get("timeoutSeconds") ?? "1800") || 1800);
      else json(res, 200, c.list(gv, rv, `${kind.kind}List`));
      return true;
    }
    const key = namespace ? `${namespace}/${name}` : name;
    if (req.method === "GET") {
      count("get");
      const o = c.get(key);
      return o ? json(res, 200, o) : notFound(res, resource!, name);
    }
    if (req.method === "DELETE") {
      count("delete");
      const o = c.get(key);
      if (!o) return notFound(res, resource!, name);
      c.delete(key);
      // A Namespace's objects go with it (the namespace controller's job, done at once here).
      if (kind.kind === "Namespace") for (const other of this.#collections.values()) for (const n of other.names()) if (n.startsWith(`${name}/`)) other.delete(n);
      return json(res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" });
    }
    if (req.method !== "PATCH") return status(res, 405, "MethodNotAllowed", `${req.method} is not served`);
    readBody(req, (text) => this.#apply(res, { gv, kind, resource: resource!, namespace, name, key, c }, req.headers["content-type"] ?? "", q, text, count));
    return true;
  }

  #apply(res: ServerResponse, t: { gv: string; kind: Kind; resource: string; namespace: string; name: string; key: string; c: SimCollection }, type: string, q: URLSearchParams, text: string, count: (k: string) => void): void {
    count("apply");
    if (type !== "application/apply-patch+yaml") return void status(res, 415, "UnsupportedMediaType", `the simulator only serves server-side apply, not ${type}`);
    if (!q.get("fieldManager")) return void status(res, 422, "Invalid", "fieldManager is required for apply requests");
    let body: unknown;
    try {
      // Clients mostly send JSON (valid YAML too); the YAML parser costs ten times more per body.
      body = JSON.parse(text);
    } catch {
      try {
        body = parse(text);
      } catch {
        return void status(res, 400, "BadRequest", "error decoding YAML");
      }
    }
    if (!isPlainObject(body) || !isPlainObject(body.metadata)) return void status(res, 400, "BadRequest", "not an object with metadata");
    if (body.apiVersion !== t.gv || body.kind !== t.kind.kind || body.metadata.name !== t.name) return void status(res, 400, "BadRequest", "apiVersion, kind or name do not match the URL");
    if (t.namespace && t.namespace !== "default" && !this.get("v1", "namespaces", "", t.namespace)) return void status(res, 404, "NotFound", `namespaces "${t.namespace}" not found`);
    if (t.kind.kind === "ConfigMap" && isPlainObject(body.data) && Object.values(body.data).some((v) => typeof v !== "string")) {
      return void status(res, 422, "Invalid", `ConfigMap "${t.name}" is invalid: data: Invalid value: every value must be a string`);
    }
    const cur = t.c.get(t.key);
    const { metadata, status: _ignored, ...rest } = body;
    const meta: Obj = { ...metadata, ...(t.namespace ? { namespace: t.namespace } : {}) };
    const next: Obj = { ...rest, ...(cur?.status ? { status: cur.status } : {}) };
    const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, generation, ...curMeta } = (cur?.metadata ?? {}) as Obj;
    if (cur && isDeepStrictEqual({ ...curMeta }, { ...meta, name: curMeta.name }) && isDeepStrictEqual(withoutMeta(cur), next)) return void json(res, 200, cur);
    const specChanged = !cur || !isDeepStrictEqual(withoutMeta(cur), next);
    meta.generation = ((generation as number | undefined) ?? 0) + (specChanged ? 1 : 0);
    t.c.upsert(t.key, next, meta);
    json(res, cur ? 200 : 201, t.c.get(t.key)!);
  }
}

function withoutMeta(o: SimObject): Obj {
  const { metadata: _m, ...rest } = o;
  return rest;
}

function readBody(req: IncomingMessage, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
}

function json(res: ServerResponse, code: number, body: object): true {
  const data = JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
  res.end(data);
  return true;
}

function status(res: ServerResponse, code: number, reason: string, message: string): true {
  return json(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
}

function notFound(res: ServerResponse, resource: string, name: string): true {
  return status(res, 404, "NotFound", `${resource} "${name}" not found`);
}
