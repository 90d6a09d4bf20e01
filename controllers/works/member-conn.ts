/**
 * The dispatcher's connection to one member: a client built from the kubeconfig in the member's hub Secret,
 * its discovery cache, and watches on the kinds Works applied there (label `clusterset.dev/work-uid`), whose
 * events bring drift (a member-side edit or delete) and status changes (a Deployment becoming available) back
 * to the Work within moments. The kubeconfig stays inside the client; errors name the Secret, never its bytes.
 */
import type { Logger } from "pino";
import { KubeconfigError, loadMemberKubeconfig } from "../../members/kubeconfig.js";
import type { MemberSource } from "../../members/secrets.js";
import type { Sensitive } from "../../members/sensitive.js";
import { KindWatch, type AppliedEventType } from "./applied-watch.js";
import { MemberDiscovery, resourcePath } from "./discovery.js";
import { createMemberHttp, type MemberHttp } from "../../members/member-http.js";
import { MemberRefusedError, type MemberContext } from "./member-objects.js";

export type AppliedEvent = (type: AppliedEventType, obj: unknown) => void;

export interface MemberConnOptions {
  requestTimeoutMs: number;
  /** Watch applied kinds for drift and status (else only resyncs notice them). */
  watchApplied: boolean;
  watchTimeoutSeconds: number;
  confirm: () => Promise<boolean>;
  log: Logger;
  onEvent: AppliedEvent;
}

export class MemberConn {
  readonly ctx: MemberContext;
  readonly #watches = new Map<string, KindWatch>();
  #closed = false;

  private constructor(
    readonly key: string,
    /** The kubeconfig this connection was built from (a new one needs a new connection). */
    readonly kubeconfig: Sensitive<Buffer>,
    private readonly client: MemberHttp,
    private readonly opts: MemberConnOptions,
  ) {
    this.ctx = { member: key, client, discovery: new MemberDiscovery(client, { minRefreshMs: 1000 }), confirm: opts.confirm };
  }

  static async open(key: string, source: MemberSource | undefined, opts: MemberConnOptions): Promise<MemberConn> {
    const where = source ? `Secret ${source.namespace}/${source.secretName}` : `member ${key}`;
    if (!source?.kubeconfig) throw new MemberRefusedError(`${where} holds no kubeconfig${source ? ` (data.${source.key})` : ""}`);
    let access;
    try {
      access = loadMemberKubeconfig(source.kubeconfig.reveal());
    } catch (e) {
      // KubeconfigError messages are written never to quote the content; anything else is not shown at all.
      throw new MemberRefusedError(`the kubeconfig in ${where} is unusable${e instanceof KubeconfigError ? `: ${e.message}` : ""}`);
    }
    // Writes to one member go one at a time (its queue); the extra sockets serve watches' lists and discovery.
    const client = await createMemberHttp(access, { timeoutMs: opts.requestTimeoutMs, maxSockets: 4 });
    return new MemberConn(key, source.kubeconfig, client, opts);
  }

  /**
   * Starts watching the collection of `id`'s kind (all namespaces), once per kind and version, from the
   * revision an apply of it just answered.
   */
  watch(id: { group: string; version: string; resource?: string }, fromResourceVersion: string): void {
    if (!this.opts.watchApplied || this.#closed || !id.resource || !fromResourceVersion) return;
    const path = resourcePath({ group: id.group, version: id.version, resource: id.resource });
    if (this.#watches.has(path)) return;
    const log = this.opts.log.child({ member: this.key, watch: path });
    this.#watches.set(path, new KindWatch(this.client, path, fromResourceVersion, { timeoutSeconds: this.opts.watchTimeoutSeconds, onEvent: this.opts.onEvent, log }));
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#watches.values()) w.close();
    this.#watches.clear();
    this.client.close();
  }
}
