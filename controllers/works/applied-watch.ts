/**
 * A watch on one kind on one member, limited to what Works applied (label `clusterset.dev/work-uid`), that
 * needs no list: it starts at the resourceVersion an apply just answered (a revision of the member's whole
 * store), since the pass that applied already saw everything before. It follows bookmarks and resumes from the
 * last revision seen; when that is too old (410) it restarts without one, and the member then announces every
 * object again (ADDED), so whatever changed while it was not watching reaches its Work.
 */
import type { Logger } from "pino";
import { WORK_UID_LABEL } from "../../api/works/manifests.js";
import type { MemberHttp, MemberStream } from "../../members/member-http.js";
import { backoffDelay } from "./retries.js";

export type AppliedEventType = "add" | "update" | "delete";

export interface KindWatchOptions {
  timeoutSeconds: number;
  onEvent: (type: AppliedEventType, obj: unknown) => void;
  log: Logger;
}

const TYPES: Record<string, AppliedEventType> = { ADDED: "add", MODIFIED: "update", DELETED: "delete" };

export class KindWatch {
  #rv: string;
  #stream: MemberStream | undefined;
  #closed = false;
  #failures = 0;

  constructor(
    private readonly client: MemberHttp,
    /** The kind's collection across namespaces, e.g. /api/v1/configmaps. */
    private readonly path: string,
    fromResourceVersion: string,
    private readonly opts: KindWatchOptions,
  ) {
    this.#rv = fromResourceVersion;
    void this.#run();
  }

  close(): void {
    this.#closed = true;
    this.#stream?.close();
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      let expired = false;
      const q = `labelSelector=${encodeURIComponent(WORK_UID_LABEL)}&watch=1&allowWatchBookmarks=true&timeoutSeconds=${this.opts.timeoutSeconds}${this.#rv ? `&resourceVersion=${this.#rv}` : ""}`;
      const started = Date.now();
      this.#stream = this.client.stream(`${this.path}?${q}`, (line) => {
        const e = line as { type?: string; object?: { code?: number; metadata?: { resourceVersion?: string } } };
        if (e.type === "ERROR") {
          expired ||= e.object?.code === 410;
          return;
        }
        const rv = e.object?.metadata?.resourceVersion;
        if (rv) this.#rv = rv;
        const type = TYPES[e.type ?? ""];
        if (type) this.opts.onEvent(type, e.object);
      }, (this.opts.timeoutSeconds + 30) * 1000);
      const end = await this.#stream.done;
      if (this.#closed) return;
      if (expired || end.status === 410) {
        this.#rv = "";
        continue;
      }
      // A stream that ran a while and ended is a normal timeout; failures right away back off.
      const healthy = end.status === 200 && !end.error && Date.now() - started > 1000;
      this.#failures = healthy ? 0 : this.#failures + 1;
      if (this.#failures === 3) this.opts.log.debug({ path: this.path, status: end.status, err: end.error?.message }, "watch of applied objects keeps failing; retrying with backoff");
      if (this.#failures > 0) await new Promise((r) => setTimeout(r, backoffDelay(this.#failures, 500, 30_000)).unref());
    }
  }
}
