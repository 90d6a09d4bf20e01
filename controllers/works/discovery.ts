/**
 * Which resource serves a kind on one member (`/api/v1`, `/apis/<group>/<version>`), cached per group-version.
 * An unknown kind refreshes its group-version (at most once per `minRefreshMs`), so a CRD applied a moment ago,
 * by this Work or anyone, is found as soon as the member serves it, without re-reading discovery for every apply.
 */
import type { MemberHttp } from "../../members/member-http.js";
import { statusMessage } from "../../members/member-http.js";

export interface ServedResource {
  resource: string;
  namespaced: boolean;
}

/** Discovery answered something other than a list or 404 (401, 403, 503…): try again later. */
export class DiscoveryError extends Error {
  override name = "DiscoveryError";
}

interface Entry {
  at: number;
  /** null: the member does not serve this group-version. */
  kinds: Map<string, ServedResource> | null;
}

export class MemberDiscovery {
  readonly #cache = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Entry>>();

  constructor(
    private readonly client: MemberHttp,
    private readonly opts: { minRefreshMs: number; now?: () => number } = { minRefreshMs: 1000 },
  ) {}

  /** The resource for `kind` in `apiVersion`, or undefined when the member does not serve it. */
  async resolve(apiVersion: string, kind: string): Promise<ServedResource | undefined> {
    const now = this.opts.now ?? Date.now;
    let entry = this.#cache.get(apiVersion) ?? (await this.#fetch(apiVersion));
    const found = entry.kinds?.get(kind);
    if (found) return found;
    if (now() - entry.at >= this.opts.minRefreshMs) entry = await this.#fetch(apiVersion);
    return entry.kinds?.get(kind);
  }

  /** Forget everything (a member that came back may have been upgraded or reinstalled). */
  reset(): void {
    this.#cache.clear();
  }

  #fetch(apiVersion: string): Promise<Entry> {
    const running = this.#inflight.get(apiVersion);
    if (running) return running;
    const p = this.#load(apiVersion).finally(() => this.#inflight.delete(apiVersion));
    this.#inflight.set(apiVersion, p);
    return p;
  }

  async #load(apiVersion: string): Promise<Entry> {
    const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const answer = await this.client.request("GET", path);
    const at = (this.opts.now ?? Date.now)();
    let entry: Entry;
    if (answer.status === 404) entry = { at, kinds: null };
    else if (answer.status >= 200 && answer.status < 300) {
      const kinds = new Map<string, ServedResource>();
      const list = (answer.body as { resources?: { name?: unknown; kind?: unknown; namespaced?: unknown }[] } | undefined)?.resources ?? [];
      for (const r of list) {
        // Subresources ("deployments/status") share their parent's kind: never the target of an apply.
        if (typeof r.name !== "string" || r.name.includes("/") || typeof r.kind !== "string") continue;
        kinds.set(r.kind, { resource: r.name, namespaced: r.namespaced === true });
      }
      entry = { at, kinds };
    } else throw new DiscoveryError(`discovery of ${apiVersion} failed: ${statusMessage(answer)}`);
    this.#cache.set(apiVersion, entry);
    return entry;
  }
}

/** The URL path of a collection (`name` undefined) or an object, as kube-apiserver serves it. */
export function resourcePath(id: { group: string; version: string; resource: string; namespace?: string; name?: string }): string {
  const base = id.group ? `/apis/${id.group}/${id.version}` : `/api/${id.version}`;
  const ns = id.namespace ? `/namespaces/${encodeURIComponent(id.namespace)}` : "";
  return `${base}${ns}/${id.resource}${id.name !== undefined ? `/${encodeURIComponent(id.name)}` : ""}`;
}
