/**
 * A small keep-alive HTTPS client for the federation benchmark (admin client certificate, one agent per
 * cluster), and a raw streaming watch that stamps each event with performance.now() when its line arrives.
 */
import { Agent, request } from "node:https";

export interface Creds {
  url: string;
  ca: string;
  cert: string;
  key: string;
}

export class Client {
  readonly agent: Agent;
  constructor(readonly creds: Creds, maxSockets = 32) {
    this.agent = new Agent({ keepAlive: true, maxSockets, ca: creds.ca, cert: creds.cert, key: creds.key });
  }

  req(path: string, init: { method?: string; body?: unknown; contentType?: string; timeoutMs?: number } = {}): Promise<{ status: number; body: string }> {
    const payload = init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    return new Promise((resolve, reject) => {
      const r = request(
        this.creds.url + path,
        {
          method: init.method ?? "GET",
          agent: this.agent,
          headers: { accept: "application/json", ...(payload !== undefined ? { "content-type": init.contentType ?? "application/json", "content-length": Buffer.byteLength(payload) } : {}) },
          timeout: init.timeoutMs ?? 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        },
      );
      r.on("timeout", () => r.destroy(new Error(`timeout: ${init.method ?? "GET"} ${path}`)));
      r.on("error", reject);
      if (payload !== undefined) r.write(payload);
      r.end();
    });
  }

  async json<T>(path: string, init: Parameters<Client["req"]>[1] = {}): Promise<T> {
    const r = await this.req(path, init);
    if (r.status < 200 || r.status >= 300) throw new Error(`${init.method ?? "GET"} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
    return JSON.parse(r.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface WatchEvent {
  type: string;
  object: { metadata: { name: string; namespace?: string; resourceVersion?: string; generation?: number; labels?: Record<string, string> }; status?: any };
  at: number;
}

type Listener = (e: WatchEvent) => void;

/** A raw watch (its own TLS connection, not pooled); every event goes to the listeners, stamped on arrival. */
export class RawWatch {
  #listeners = new Set<Listener>();
  #req: ReturnType<typeof request> | undefined;
  ended = false;
  events = 0;

  static open(creds: Creds, path: string): Promise<RawWatch> {
    const w = new RawWatch();
    return new Promise((resolve, reject) => {
      const r = request(creds.url + path, { ca: creds.ca, cert: creds.cert, key: creds.key, agent: false, headers: { accept: "application/json" } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch ${path}: ${res.statusCode}`));
          res.resume();
          return;
        }
        let buf = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          const at = performance.now();
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            const e = JSON.parse(line) as Omit<WatchEvent, "at">;
            w.events++;
            for (const l of w.#listeners) l({ ...e, at });
          }
        });
        res.on("end", () => (w.ended = true));
        res.on("error", () => (w.ended = true));
        resolve(w);
      });
      r.on("error", (e) => (w.ended ? undefined : reject(e)));
      r.end();
      w.#req = r;
    });
  }

  on(l: Listener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** The arrival time of the first event matching `pred` from now on; rejects after `timeoutMs`. */
  next(pred: (e: WatchEvent) => boolean, timeoutMs: number): Promise<WatchEvent> {
    return new Promise((resolve, reject) => {
      const off = this.on((e) => {
        if (!pred(e)) return;
        clearTimeout(t);
        off();
        resolve(e);
      });
      const t = setTimeout(() => {
        off();
        reject(new Error(`no matching watch event within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  close(): void {
    this.ended = true;
    this.#req?.destroy();
  }
}

/** Runs `fn` over `items` with at most `n` in flight. */
export async function pool<T>(items: readonly T[], n: number, fn: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await fn(items[i]!, i);
      }
    }),
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
