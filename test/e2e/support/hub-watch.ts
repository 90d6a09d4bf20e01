/** A raw watch through the hub as admin: events as they arrive, for freshness and ordering checks. */
import { request } from "node:https";
import type { ClusterSet } from "../../harness/clusterset.js";

export interface WatchEventLine {
  type: string;
  object: { metadata: { name: string; resourceVersion: string } } & Record<string, unknown>;
  at: number;
}

export class HubWatch {
  private events: WatchEventLine[] = [];
  private waiters: (() => void)[] = [];
  private constructor(private readonly close_: () => void) {}

  static open(cs: ClusterSet, path: string): Promise<HubWatch> {
    return new Promise((resolve, reject) => {
      let w: HubWatch | undefined;
      const req = request(`${cs.hub.url}${path}`, { ca: cs.hub.caPem, cert: cs.hub.pki.admin.certPem, key: cs.hub.pki.admin.keyPem, agent: false }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
          return;
        }
        let buf = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buf += chunk;
          let i;
          while ((i = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) w!.push({ ...(JSON.parse(line) as Omit<WatchEventLine, "at">), at: Date.now() });
          }
        });
        resolve(w!);
      });
      w = new HubWatch(() => req.destroy());
      req.on("error", (e) => reject(e));
      req.end();
    });
  }

  private push(e: WatchEventLine): void {
    this.events.push(e);
    for (const w of this.waiters.splice(0)) w();
  }

  /** The first event (seen so far or coming) that matches; consumed with everything before it. */
  async next(match: (e: WatchEventLine) => boolean, timeoutMs: number): Promise<WatchEventLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.events.findIndex(match);
      if (i >= 0) return this.events.splice(0, i + 1)[i]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching watch event within ${timeoutMs} ms; saw ${this.events.map((e) => `${e.type} ${e.object.metadata.name}`).join(", ") || "nothing"}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  all(): WatchEventLine[] {
    return this.events;
  }

  close(): void {
    this.close_();
  }
}
