/**
 * A watcher that never reads: the others' delivery latency and the server's memory stay where they are, and
 * the stalled watch is ended (its client would re-list) instead of buffering without bound.
 */
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { Direct } from "./support/direct.js";
import { Inspector, inspectorEnv } from "./support/inspector.js";

const P = "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/default/placementdecisions";
let cs: ClusterSet;
beforeAll(async () => {
  cs = await startClusterSet({ members: 0, label: "slow-watcher", server: { env: inspectorEnv() } });
});
afterAll(async () => {
  await cs?.stop();
});

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
const padding = "x".repeat(2000);
const body = (name: string) => ({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name, annotations: { padding } }, decisions: [] });
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;

/** Watchers that read: each event's latency from just before its create was sent. */
async function measure(client: Direct, prefix: string, events: number, watchers: number): Promise<number[]> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const streams = Array.from({ length: watchers }, () => openReadingWatch(client, sentAt, latencies, prefix, events));
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < events; i++) {
    const name = `${prefix}-${i}`;
    sentAt.set(name, performance.now());
    const r = await client.request("POST", P, body(name));
    expect(r.status).toBe(201);
  }
  await Promise.all(streams.map((s) => s.done));
  for (const s of streams) s.close();
  return latencies;
}

function openReadingWatch(client: Direct, sentAt: Map<string, number>, latencies: number[], prefix: string, events: number) {
  const session = (client as unknown as { session: import("node:http2").ClientHttp2Session }).session;
  const stream = session.request({ ":method": "GET", ":path": `${P}?watch=1&resourceVersion=0&labelSelector=`, "x-remote-user": "admin", "x-remote-group": "system:masters" });
  let seen = 0;
  let buf = "";
  const done = new Promise<void>((resolve) => {
    stream.on("data", (c: Buffer) => {
      buf += c.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const name = (JSON.parse(line) as { object: { metadata: { name: string } } }).object.metadata.name;
        if (!name.startsWith(`${prefix}-`)) continue;
        latencies.push(performance.now() - sentAt.get(name)!);
        if (++seen === events) resolve();
      }
    });
  });
  return { done, close: () => stream.close() };
}

/** `count` merge patches of one object (16 at a time), each a new version with a new label value. */
async function churn(client: Direct, count: number): Promise<void> {
  expect((await client.request("POST", P, body("churn"))).status).toBe(201);
  for (let i = 0; i < count; i += 16) {
    const batch = Array.from({ length: Math.min(16, count - i) }, (_, k) =>
      client.request("PATCH", `${P}/churn`, JSON.stringify({ metadata: { labels: { n: String(i + k) } } }), { "content-type": "application/merge-patch+json" }),
    );
    for (const r of await Promise.all(batch)) expect(r.status).toBe(200);
  }
}

/**
 * An HTTP/2 watch whose client never reads: HTTP/2 flow control stops the server's writes once the stream's
 * window (64 KiB) is full — as for a stalled client behind the hub's aggregator, which speaks HTTP/2 to us.
 * (Over HTTP/1.1 on loopback the kernel would first absorb tens of MB.)
 */
function openStalledWatch(): Promise<{ destroy(): void }> {
  const session = http2.connect(cs.server.url, { ca: cs.server.caPem, cert: cs.frontProxyClient.cert, key: cs.frontProxyClient.key, settings: { initialWindowSize: 65_535 } });
  session.on("error", () => undefined);
  const stream = session.request({ ":method": "GET", ":path": `${P}?watch=1&resourceVersion=0`, "x-remote-user": "admin", "x-remote-group": "system:masters" });
  stream.on("error", () => undefined);
  stream.pause();
  return new Promise((resolve) => stream.once("response", () => resolve({ destroy: () => session.destroy() })));
}

describe("a watcher that never reads", () => {
  it("does not slow the others, does not grow memory without bound, and is ended", async () => {
    const client = new Direct(cs);
    const baseline = await measure(client, "base", 300, 5);
    const rssBefore = rssKiB(cs.server.pid);
    const stalled = await openStalledWatch();
    const events = 3000;
    const withStalled = await measure(client, "load", events, 5);
    // Then more changes than the watch history keeps (10,000), as updates of one object: each old version is
    // then held only by the history, or by a queue that never drains — what a stalled watcher would leak.
    const rssAfter = rssKiB(cs.server.pid);
    await churn(client, 12_000);
    // The server cut the stalled watch off as too slow (its own count says so; the paused client would notice only
    // once it read what is buffered).
    const tooSlow = async () => Number(/^clusterset_watches_ended_total\{reason="too-slow"\} (\d+)/m.exec((await client.request("GET", "/metrics")).body)?.[1] ?? "0");
    let ended = false;
    for (let i = 0; i < 40 && !ended; i++) {
      ended = (await tooSlow()) >= 1;
      if (!ended) await new Promise((r) => setTimeout(r, 250));
    }
    // What the server holds for the stalled client shows as what it frees when that client goes: a queue kept
    // for it would hold the 2,000+ versions the history has let go (~2 KB each, plus their encoded JSON: ~8 MB).
    // Measured after forced collections, so only what is really retained counts.
    const inspector = await Inspector.attach(cs.server.proc!.logPath);
    const heldWhileStalled = await inspector.heapAndBuffersAfterGc();
    stalled.destroy();
    await new Promise((r) => setTimeout(r, 1_000));
    const heldAfter = await inspector.heapAndBuffersAfterGc();
    inspector.close();
    client.close();
    expect(heldWhileStalled - heldAfter, `${heldWhileStalled} bytes held while stalled, ${heldAfter} after`).toBeLessThan(1.5 * 1024 * 1024);
    expect(ended).toBe(true);
    // And the process as a whole (RSS also counts what the allocator keeps): no runaway growth.
    expect(rssAfter - rssBefore).toBeLessThan(100 * 1024);
    const b = p99(baseline);
    const w = p99(withStalled);
    expect(withStalled).toHaveLength(events * 5);
    expect(w).toBeLessThan(Math.max(3 * b, b + 100));
  }, 600_000);
});
