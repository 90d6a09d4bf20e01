/**
 * Malformed and hostile requests, straight to our port as the aggregator sends them (front-proxy certificate,
 * admin user): bodies, patches, selectors, paths, query values, headers, deep JSON, YAML alias bombs, patches
 * aimed at metadata, and real watches (support/fuzz-requests.ts). Zero crashes, zero 5xx, every failure a Status
 * with a fitting 4xx code, and no heap kept: heapUsed after a forced GC is within 10% of its value after a
 * warm-up pass. Seeded: FUZZ_SEED replays a run (printed; random when unset); FUZZ_COUNT sets the count.
 */
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { generator, hostile, type Req } from "./support/fuzz-requests.js";
import { Inspector, inspectorEnv } from "./support/inspector.js";

const TOTAL = Number(process.env.FUZZ_COUNT ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** One request in this many is a hostile shape; the rest come from the general generator. */
const HOSTILE_EVERY = 4;
let cs: ClusterSet;
let session: http2.ClientHttp2Session;

beforeAll(async () => {
  console.log(`fuzz: FUZZ_SEED=${SEED} FUZZ_COUNT=${TOTAL} (set both to replay this run)`);
  cs = await startClusterSet({ members: 0, label: "fuzz", server: { env: inspectorEnv() } });
  session = http2.connect(cs.server.url, { ca: cs.server.caPem, cert: cs.frontProxyClient.cert, key: cs.frontProxyClient.key });
});
afterAll(async () => {
  session?.close();
  await cs?.stop();
});

interface Answer {
  status: number;
  body: string;
  contentType: string;
}

/** Sends one request; a watch (`watchMs`) is cancelled after that long and answers with what it had so far. */
function send(req: Req): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": req.method, ":path": req.path, ...req.headers }, { endStream: req.body === undefined });
    let status = 0;
    let contentType = "";
    const chunks: Buffer[] = [];
    const done = () => resolve({ status, body: Buffer.concat(chunks).toString("utf8"), contentType });
    stream.setTimeout(20_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    const watchTimer = req.watchMs ? setTimeout(() => (status ? (stream.close(http2.constants.NGHTTP2_CANCEL), done()) : undefined), req.watchMs) : undefined;
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      contentType = String(h["content-type"] ?? "");
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => (clearTimeout(watchTimer), done()));
    stream.on("close", () => (clearTimeout(watchTimer), done()));
    stream.on("error", reject);
    if (req.body !== undefined) stream.end(req.body);
  });
}

/** Runs `count` requests, 50 at a time; returns the count per status code and every answer that is not fitting. */
async function run(next: () => Req, count: number): Promise<{ codes: Map<number, number>; bad: string[] }> {
  const bad: string[] = [];
  const codes = new Map<number, number>();
  let inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const req = next();
    inFlight.push(
      send(req).then(
        ({ status, body, contentType }) => {
          codes.set(status, (codes.get(status) ?? 0) + 1);
          const where = `${req.method} ${req.path.slice(0, 200)} (${req.headers["content-type"] ?? ""}) → ${status}: ${body.slice(0, 200)}`;
          // A resourceVersion newer than the store is no malformed input: kube-apiserver waits 3 s for it, then
          // answers 504 Timeout "Too large resource version" with Retry-After, and so do we.
          const tooNew = status === 504 && body.includes('"reason":"Timeout"') && body.includes("Too large resource version");
          if ((status >= 500 && !tooNew) || status === 0) bad.push(where);
          else if (status >= 400 && req.method !== "HEAD" && !req.path.startsWith("/readyz") && !req.path.startsWith("/metrics")) {
            try {
              const s = JSON.parse(body) as { kind?: string; code?: number; reason?: string };
              if (s.kind !== "Status" || s.code !== status || !s.reason) bad.push(`not a fitting Status: ${where}`);
            } catch {
              bad.push(`not JSON (${contentType}): ${where}`);
            }
          }
        },
        (e: Error) => void bad.push(`stream error ${e.message}: ${req.method} ${req.path.slice(0, 200)}`),
      ),
    );
    if (inFlight.length >= 50) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  return { codes, bad };
}

/** The general generator, with every HOSTILE_EVERY-th request a hostile shape; both from one seed. */
function mixed(seed: number): () => Req {
  const general = generator(seed);
  const hostileNext = hostile(seed + 1);
  let i = 0;
  return () => (++i % HOSTILE_EVERY === 0 ? hostileNext() : general());
}

describe("fuzz", () => {
  it(`answers ${TOTAL} malformed and hostile requests with no 5xx, a Status for every failure, and no heap kept`, async () => {
    const inspector = await Inspector.attach(cs.server.proc!.logPath);
    try {
      // Warm-up: the same mix from another seed, so caches, JIT and pools are filled before the baseline.
      const warm = await run(mixed(SEED ^ 0x5eed), Math.min(2_000, TOTAL));
      expect(warm.bad.slice(0, 20)).toEqual([]);
      const baseline = await inspector.heapAfterGc();
      const { codes, bad } = await run(mixed(SEED), TOTAL);
      const after = await inspector.heapAfterGc();
      console.log("fuzz status codes", JSON.stringify([...codes.entries()].sort()), `heapUsed after warm-up ${(baseline / 1e6).toFixed(1)} MB, after the run ${(after / 1e6).toFixed(1)} MB`);
      expect(bad.slice(0, 20)).toEqual([]);
      // The server is still alive and serving, and kept nothing of the run.
      const health = await send({ method: "GET", path: "/healthz", headers: {} });
      expect(health.status).toBe(200);
      expect(cs.server.running()).toBe(true);
      expect(after, `heapUsed ${after} vs ${baseline} after the warm-up (FUZZ_SEED=${SEED})`).toBeLessThanOrEqual(baseline * 1.1);
      // The generator really produced failures of many kinds.
      expect([...codes.keys()].filter((c) => c >= 400).length).toBeGreaterThanOrEqual(6);
    } finally {
      inspector.close();
    }
  }, 900_000);
});
