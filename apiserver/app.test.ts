import http from "node:http";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceREST } from "../resources/rest.js";
import { createApp } from "./app.js";
import { createMetrics } from "./metrics.js";
import { until } from "../testing/until.js";

/** A resource whose list waits until released: the slow request for in-flight and timeout tests. */
let release: () => void = () => undefined;
let listing = 0;
const slowList = (): ResourceREST =>
  ({
    descriptor: { group: "multicluster.x-k8s.io", version: "v1alpha1", kind: "Work", listKind: "WorkList", plural: "works", singular: "work", shortNames: [], categories: [], namespaced: true },
    columns: { definitions: [], cells: () => [] },
    verbs: () => ["list"],
    subresourceVerbs: () => ({}),
    list: () => new Promise((r) => (listing++, release = () => r({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "WorkList", metadata: { resourceVersion: "1" }, items: [] }))),
  }) as unknown as ResourceREST;

let server: http.Server;
let base = "";
beforeAll(async () => {
  const app = createApp({
    group: "multicluster.x-k8s.io",
    version: "v1alpha1",
    resources: new Map([["works", slowList()]]),
    authenticate: async () => ({ name: "admin", groups: ["system:masters"], extra: {} }),
    authorize: async () => ({ allowed: true, reason: "" }),
    forbiddenMessage: () => "",
    checks: { healthz: [], livez: [], readyz: [] },
    openapi: () => undefined,
    metrics: createMetrics(),
    log: pino({ level: "silent" }),
    maxInflight: 1,
    version_info: {},
  });
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/apis/multicluster.x-k8s.io/v1alpha1/namespaces/a/works`;
});
afterAll(() => server.close());

describe("request limits", () => {
  it("answers 429 with Retry-After beyond the in-flight cap", async () => {
    const first = fetch(base);
    await until(() => listing === 1, "the first request in flight");
    const second = await fetch(base);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("1");
    expect(await second.json()).toMatchObject({ kind: "Status", reason: "TooManyRequests", code: 429 });
    release();
    expect((await first).status).toBe(200);
  });

  it("answers 504 Timeout when a request outlives ?timeout=", async () => {
    const r = await fetch(`${base}?timeout=200ms`);
    expect(r.status).toBe(504);
    expect(await r.json()).toMatchObject({ kind: "Status", reason: "Timeout", code: 504 });
    release();
    // The slot is free again once the timed-out request is answered.
    release = () => undefined;
  });
});
