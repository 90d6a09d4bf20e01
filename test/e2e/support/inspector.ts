/**
 * A look inside our server's heap from a test, through the V8 inspector: start the server with
 * `inspectorEnv()` (NODE_OPTIONS=--inspect on a free loopback port chosen by Node), then `Inspector.attach`
 * finds the debugger URL in its log. `heapAfterGc()` forces a full collection (HeapProfiler.collectGarbage, no
 * --expose-gc needed) and returns `process.memoryUsage().heapUsed`. Test-only: production never runs with it.
 */
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import { waitFor } from "../../harness/processes.js";

export function inspectorEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --inspect=127.0.0.1:0`.trim() };
}

export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
  }

  /** Connects to the inspector whose "Debugger listening on ws://…" line is in `logPath`. */
  static async attach(logPath: string): Promise<Inspector> {
    const url = await waitFor(
      async () => /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+)/.exec(readFileSync(logPath, "utf8"))?.[1],
      { what: `the inspector URL in ${logPath}`, timeoutMs: 30_000 },
    );
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new Inspector(ws);
  }

  private call(method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** heapUsed in bytes after a full garbage collection. */
  async heapAfterGc(): Promise<number> {
    await this.call("HeapProfiler.collectGarbage");
    await this.call("HeapProfiler.collectGarbage");
    const r = (await this.call("Runtime.evaluate", { expression: "process.memoryUsage().heapUsed", returnByValue: true })) as { result: { value: number } };
    return r.result.value;
  }

  /** heapUsed plus the memory of Buffers and ArrayBuffers (what a stream's unsent writes hold), after a full GC. */
  async heapAndBuffersAfterGc(): Promise<number> {
    await this.call("HeapProfiler.collectGarbage");
    await this.call("HeapProfiler.collectGarbage");
    const r = (await this.call("Runtime.evaluate", { expression: "(() => { const m = process.memoryUsage(); return m.heapUsed + m.external; })()", returnByValue: true })) as { result: { value: number } };
    return r.result.value;
  }

  close(): void {
    this.ws.close();
  }
}
