/**
 * The dispatcher's connection to one member: a client built from the kubeconfig in the member's hub Secret,
 * its discovery cache, and watches on the kinds Works applied there (label `clusterset.dev/work-uid`), whose
 * events bring drift (a member-side edit or delete) and status changes (a Deployment becoming available) back
 * to the Work within moments. The kubeconfig stays inside the client; errors name the Secret, never its bytes.
 */
import type * as k8s from "@kubernetes/client-node";
import type { Logger } from "pino";
import { startInformer, type ResilientInformer } from "../../hub/informer.js";
import { KubeconfigError, loadMemberKubeconfig } from "../../members/kubeconfig.js";
import type { MemberSource } from "../../members/secrets.js";
import type { Sensitive } from "../../members/sensitive.js";
import { MemberDiscovery, resourcePath } from "./discovery.js";
import { WORK_UID_LABEL } from "./manifests.js";
import { createMemberClient, type MemberClient } from "./member-client.js";
import { MemberRefusedError, type MemberContext } from "./member-objects.js";

export type AppliedEvent = (type: "add" | "update" | "delete", obj: k8s.KubernetesObject) => void;

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
  readonly #informers = new Map<string, ResilientInformer<k8s.KubernetesObject>>();
  #closed = false;

  private constructor(
    readonly key: string,
    /** The kubeconfig this connection was built from (a new one needs a new connection). */
    readonly kubeconfig: Sensitive<Buffer>,
    private readonly kc: k8s.KubeConfig,
    private readonly client: MemberClient,
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
    const client = await createMemberClient(access, { timeoutMs: opts.requestTimeoutMs, maxSockets: 4 });
    return new MemberConn(key, source.kubeconfig, access.kc, client, opts);
  }

  /** Starts watching the collection of `id`'s kind (all namespaces), once per kind and version. */
  watch(id: { group: string; version: string; resource?: string }): void {
    if (!this.opts.watchApplied || this.#closed || !id.resource) return;
    const path = resourcePath({ group: id.group, version: id.version, resource: id.resource });
    if (this.#informers.has(path)) return;
    const selector = `labelSelector=${encodeURIComponent(WORK_UID_LABEL)}`;
    const informer = startInformer<k8s.KubernetesObject>(
      this.kc,
      `${path}?${selector}&timeoutSeconds=${this.opts.watchTimeoutSeconds}`,
      async () => {
        const a = await this.client.request("GET", `${path}?${selector}`);
        if (a.status !== 200) throw Object.assign(new Error(`listing ${path} on ${this.key}: HTTP ${a.status}`), { statusCode: a.status });
        return a.body as k8s.KubernetesListObject<k8s.KubernetesObject>;
      },
      // Retries of a down member would repeat every few seconds; the Work's status says it once.
      this.opts.log.child({ member: this.key, watch: path }, { level: "error" }),
      (type, obj) => this.opts.onEvent(type, obj),
    );
    this.#informers.set(path, informer);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#informers.values()];
    this.#informers.clear();
    await Promise.allSettled(all.map((i) => i.stop()));
    this.client.close();
  }
}
