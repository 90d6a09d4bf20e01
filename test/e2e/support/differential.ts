/**
 * Helpers for the differential e2e test: send the same raw request to two kube-apiservers (ours behind a
 * hub, and a plain one serving the upstream CRDs) and reduce the answers to what a client can rely on, so
 * that two answers compare equal exactly when a client could not tell them apart.
 *
 * What is normalized away (it differs between any two servers): uids, timestamps and resourceVersions (their
 * formats are checked instead), continue tokens (opaque; presence is compared), generated name suffixes (the
 * alphabet and length are checked), the Age cell of a Table row. Everything else is compared as is.
 *
 * `open` lists our known bugs by id (OPEN_BUGS in test/e2e/differential.test.ts says what each is); the
 * scenarios leave out the part of an answer an open bug affects (support/differential-sides.ts `same`).
 */
import type { HttpsResponse, RequestInit } from "../../harness/https.js";

export interface Side {
  name: "A" | "B";
  request(path: string, init?: RequestInit): Promise<HttpsResponse>;
}

export interface Answer {
  status: number;
  contentType: string | undefined;
  warnings: string[];
  body: string;
  json: Json;
}

/** Parsed JSON as the servers send it: shapes are what is under test, so no static type fits. */
export type Json = any;

export const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** RFC 3339, whole seconds, UTC: what metav1.Time marshals to. */
export const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
export const RV = /^[1-9]\d*$/;
/** k8s.io/apiserver/pkg/storage/names: 5 characters of this alphabet after the prefix. */
export const GENERATED_SUFFIX = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/;

export async function ask(side: Side, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await side.request(path, withContentLength(init));
  let json: Json;
  try {
    json = res.body.trim() === "" ? undefined : JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  const w = res.headers.warning;
  const warnings = w === undefined ? [] : (Array.isArray(w) ? w : [w]).flatMap(splitWarnings);
  return { status: res.status, contentType: res.headers["content-type"], warnings, body: res.body, json };
}

/**
 * Node sends a DELETE body without Content-Length or chunked framing, and Go servers then read no body at all
 * (DeleteOptions silently dropped): say how long it is, as client-go does.
 */
function withContentLength(init: RequestInit): RequestInit {
  if (init.body === undefined) return init;
  const payload = typeof init.body === "string" || Buffer.isBuffer(init.body) ? init.body : JSON.stringify(init.body);
  const headers = { ...init.headers };
  if (payload !== init.body) headers["content-type"] ??= "application/json";
  headers["content-length"] = String(Buffer.byteLength(payload));
  return { ...init, headers, body: payload };
}

/** `299 - "a", 299 - "b"` (Node joins repeated headers with ", ") → ["a", "b"]. */
function splitWarnings(h: string): string[] {
  const out: string[] = [];
  const re = /299 - "((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(h); m; m = re.exec(h)) out.push(JSON.parse(`"${m[1]}"`) as string);
  return out;
}

export class Normalizer {
  /** `generatedPrefixes`: the generateName prefixes the scenarios use, to recognize generated names anywhere. */
  constructor(
    private readonly openBugs: ReadonlySet<string>,
    private readonly generatedPrefixes: readonly string[] = [],
  ) {}

  /** A generated name → `<prefix><generated>` (after checking the suffix's alphabet and length). */
  name(s: unknown): unknown {
    if (typeof s !== "string") return s;
    for (const p of this.generatedPrefixes) if (s.startsWith(p) && GENERATED_SUFFIX.test(s.slice(p.length))) return `${p}<generated>`;
    return s;
  }

  open(id: string): boolean {
    return this.openBugs.has(id);
  }

  /** Any answer: status code, content type and the body reduced by its kind. */
  answer(a: Answer): Json {
    return { status: a.status, contentType: a.contentType, body: this.body(a.json) };
  }

  body(j: Json): Json {
    if (j === undefined || j === null || typeof j !== "object") return j;
    if (j.kind === "Status") return this.status(j);
    if (j.kind === "Table") return this.table(j);
    if (Array.isArray(j.items)) return this.list(j);
    return this.object(j);
  }

  text(s: unknown): unknown {
    if (typeof s !== "string") return s;
    return s
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uid>")
      // Each server has its own revisions: a stored resourceVersion quoted in a message is not comparable.
      .replace(/ResourceVersion in record \(\d+\)/g, "ResourceVersion in record (<rv>)")
      .replace(/too old resource version: (\d+) \(\d+\)/g, "too old resource version: $1 (<rv>)")
      // An object quoted in a message (a patch that does not decode): its times and resourceVersion are each side's.
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, "<time>")
      .replace(/(resourceVersion\\*":\\*")\d+/g, "$1<rv>");
  }

  status(s: Json): Json {
    const out: Json = { ...s, message: this.text(s.message) };
    if (s.details !== undefined) {
      const d: Json = { ...s.details };
      if (d.uid !== undefined) d.uid = UID.test(d.uid) ? "<uid>" : d.uid;
      if (d.causes) d.causes = (d.causes as Json[]).map((c) => this.cause(c));
      out.details = d;
    }
    return out;
  }

  cause(c: Json): Json {
    return { ...c, message: this.text(c.message) };
  }

  meta(m: Json): Json {
    if (!m || typeof m !== "object") return m;
    const out: Json = { ...m };
    for (const k of ["creationTimestamp", "deletionTimestamp"]) if (typeof out[k] === "string" && TIME.test(out[k])) out[k] = "<time>";
    if (typeof out.uid === "string" && UID.test(out.uid)) out.uid = "<uid>";
    if (typeof out.resourceVersion === "string" && RV.test(out.resourceVersion)) out.resourceVersion = "<rv>";
    if (typeof out.generateName === "string" && typeof out.name === "string" && out.name.startsWith(out.generateName)) {
      const suffix = out.name.slice(out.generateName.length);
      if (GENERATED_SUFFIX.test(suffix)) out.name = `${out.generateName}<generated>`;
    }
    out.name = this.name(out.name);
    if (Array.isArray(out.managedFields)) {
      out.managedFields = (out.managedFields as Json[]).map((f) => ({ ...f, ...(typeof f.time === "string" && TIME.test(f.time) ? { time: "<time>" } : {}) }));
    }
    return out;
  }

  object(o: Json): Json {
    return { ...o, metadata: this.meta(o.metadata) };
  }

  listMeta(m: Json): Json {
    const out: Json = { ...m };
    if (typeof out.resourceVersion === "string" && RV.test(out.resourceVersion)) out.resourceVersion = "<rv>";
    if (typeof out.continue === "string" && out.continue !== "") out.continue = "<token>";
    return out;
  }

  list(l: Json): Json {
    return { ...l, metadata: this.listMeta(l.metadata), items: (l.items as Json[]).map((i) => this.object(i)) };
  }

  /**
   * A Table's structure: our columns differ from the CRD's by design (DESIGN.md adds columns), so only the
   * Name column (identical), the last column (Age: name, type, format, priority) and the rows' shape compare.
   */
  table(t: Json): Json {
    const cols = (t.columnDefinitions ?? []) as Json[];
    const last = cols[cols.length - 1] ?? {};
    return {
      kind: t.kind,
      apiVersion: t.apiVersion,
      metadata: this.listMeta(t.metadata ?? {}),
      keys: Object.keys(t).sort(),
      columnKeys: [...new Set(cols.map((c) => Object.keys(c).sort().join(",")))],
      nameColumn: cols[0],
      lastColumn: { name: last.name, type: last.type, format: last.format, priority: last.priority },
      rows: ((t.rows ?? []) as Json[]).map((r) => ({
        keys: Object.keys(r).sort(),
        cellsMatchColumns: Array.isArray(r.cells) && r.cells.length === cols.length,
        name: this.name(r.cells?.[0]),
        age: typeof r.cells?.[r.cells.length - 1] === "string" && /^\d+(s|m|h|d|y)/.test(r.cells[r.cells.length - 1]) ? "<age>" : r.cells?.[r.cells.length - 1],
        // includeObject=None: kube-apiserver writes "object": null (an empty RawExtension).
        ...(r.object === undefined ? {} : { object: r.object === null ? null : this.object(r.object) }),
      })),
    };
  }
}

/** A watch response body: one JSON event per line. */
export function watchEvents(body: string): Array<{ type: string; object: Json }> {
  return body
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { type: string; object: Json });
}
