import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Watch, WatchEvent } from "../resources/rest.js";
import { until } from "../testing/until.js";
import { serveWatch } from "./watch-stream.js";

/** A Watch the test drives: events go out as pushed; end() ends it as storage ends an overflowing watcher. */
class ScriptedWatch implements Watch {
  endReason?: "closed" | "too-slow" | "store-closed";
  private queue: WatchEvent[] = [];
  private waiter?: (evs: WatchEvent[] | null) => void;

  push(ev: WatchEvent): void {
    this.queue.push(ev);
    this.flush();
  }

  end(reason: "too-slow"): void {
    this.endReason = reason;
    this.queue = [];
    this.flush();
  }

  next(): Promise<WatchEvent[] | null> {
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.flush();
    });
  }

  close(): void {
    this.endReason ??= "closed";
    this.flush();
  }

  private flush(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    if (this.endReason !== undefined) waiter(null);
    else if (this.queue.length > 0) waiter(this.queue.splice(0));
    else return;
    this.waiter = undefined;
  }
}

const padding = "p".repeat(8 * 1024);
const event = (i: number): WatchEvent => ({ type: "MODIFIED", object: { metadata: { name: `o${i}`, resourceVersion: String(i) }, padding }, revision: i, encoded: new Map() });

let server: http2.Http2Server | undefined;
let client: http2.ClientHttp2Session | undefined;
afterEach(() => {
  client?.destroy();
  server?.close();
});

/**
 * A watch over HTTP/2 to a client that does not read (64 KiB stream window): `count` events of 8 KiB are written,
 * then storage ends the watcher as too slow. Returns the client's stream, still paused.
 */
async function stalledWatch(count: number, tooSlowGraceMs: number) {
  const watch = new ScriptedWatch();
  const served: { reason?: string; res?: http2.Http2ServerResponse } = {};
  server = http2.createServer((_req, res) => {
    served.res = res;
    void serveWatch(res, watch, { timeoutSeconds: 60, headers: {}, encode: (ev) => Buffer.from(`${JSON.stringify(ev.object)}\n`), onEnd: (r) => (served.reason = r), tooSlowGraceMs });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const stream = client.request({ ":path": "/watch" });
  stream.pause();
  await new Promise((r) => stream.once("response", r));
  for (let i = 1; i <= count; i++) watch.push(event(i));
  await new Promise((r) => setTimeout(r, 100));
  watch.end("too-slow");
  await until(() => served.reason, "serveWatch ended");
  return { stream, served };
}

describe("a watch storage ends as too slow", () => {
  it("ends cleanly after what was written, so the client can resume from the last event it read", async () => {
    const { stream, served } = await stalledWatch(32, 5_000);
    expect(served.reason).toBe("too-slow");
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.resume();
    await new Promise<void>((resolve, reject) => {
      stream.once("end", resolve);
      stream.once("error", reject);
    });
    await new Promise((r) => stream.once("close", r));
    expect(stream.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
    const names = Buffer.concat(chunks).toString().trim().split("\n").map((l) => (JSON.parse(l) as { metadata: { name: string } }).metadata.name);
    expect(names).toEqual(Array.from({ length: 32 }, (_, i) => `o${i + 1}`));
  });

  it("is cut once the grace is over when the client never reads", async () => {
    const { served } = await stalledWatch(32, 1_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(served.res!.stream.closed, "closed before the grace is over").toBe(false);
    await until(() => served.res!.stream.closed, "the server closed the stream", 5_000);
  }, 10_000);
});
