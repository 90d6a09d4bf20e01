/**
 * A Lease that cannot be taken for a reason other than another holder is a warning naming the cause, logged
 * when the cause changes (not on every retry), and counted. The hub here is a tiny local HTTP server answering
 * as kube-apiserver does when the Lease's namespace does not exist; the election's clock is fake, so "within one
 * retry period" is exact: the warning comes after the first attempt, before the clock reaches the second.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import * as k8s from "@kubernetes/client-node";
import type { Logger } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hubLeaseClient } from "./lease-client.js";
import type { LeaseProblem } from "./lease-problem.js";
import { startElection, type LeaderElector } from "./lease.js";

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** What the fake hub answers to a Lease create: 404 (namespace missing) or 403 (RBAC). */
let createAnswer: 404 | 403 = 404;

function status(code: number, reason: string, message: string) {
  return JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
}

const hub = http.createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  if (req.method === "GET") {
    res.writeHead(404).end(status(404, "NotFound", 'leases.coordination.k8s.io "clusterset-apiserver" not found'));
  } else if (createAnswer === 404) {
    res.writeHead(404).end(status(404, "NotFound", 'namespaces "no-such-ns" not found'));
  } else {
    res.writeHead(403).end(status(403, "Forbidden", 'leases.coordination.k8s.io is forbidden: User "system:serviceaccount:x:y" cannot create resource "leases"'));
  }
});

function fakeLogger() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_obj: unknown, msg: string) => void lines.push({ level, msg });
  const logger = { warn: at("warn"), info: at("info"), debug: at("debug"), error: at("error") } as unknown as Logger;
  return { logger, warnings: () => lines.filter((l) => l.level === "warn").map((l) => l.msg) };
}

/** Lets real I/O (the HTTP exchange) happen until `ok`, without moving the fake clock. */
async function settle(ok: () => boolean): Promise<void> {
  const end = performance.now() + 5_000;
  while (!ok() && performance.now() < end) await new Promise((r) => setImmediate(r));
}

describe("a Lease that cannot be taken", () => {
  let elector: LeaderElector | undefined;
  let kc: k8s.KubeConfig;

  beforeEach(async () => {
    createAnswer = 404;
    await new Promise<void>((r) => hub.listen(0, "127.0.0.1", r));
    // client-node refuses plain HTTP unless told to skip TLS verification (there is no TLS here at all).
    kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "hub", server: `http://127.0.0.1:${(hub.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "c", cluster: "hub", user: "u" }],
      currentContext: "c",
    });
    // Only the election's timers and clock are fake; the HTTP exchange runs for real.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  });

  afterEach(async () => {
    await elector?.stop();
    vi.useRealTimers();
    await new Promise((r) => hub.close(r));
  });

  it("warns, naming the missing namespace, within one retry period; once per cause; counted every time", async () => {
    const { logger, warnings } = fakeLogger();
    const problems: LeaseProblem[] = [];
    const t0 = Date.now();
    elector = startElection(hubLeaseClient(kc, "no-such-ns", "clusterset-apiserver"), "replica-a", logger, timing, Date.now, { onProblem: (p) => problems.push(p) });

    await vi.advanceTimersByTimeAsync(0); // the first attempt: GET (404, no Lease yet), then create
    await settle(() => warnings().length > 0);
    expect(Date.now() - t0).toBeLessThan(timing.retryPeriodMs);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain('namespace "no-such-ns" does not exist');
    expect(problems.map((p) => p.reason)).toEqual(["NamespaceNotFound"]);

    // The same cause on the next retries: counted, not logged again.
    for (let i = 2; i <= 4; i++) {
      await vi.advanceTimersByTimeAsync(timing.retryPeriodMs);
      await settle(() => problems.length === i);
    }
    expect(problems).toHaveLength(4);
    expect(warnings()).toHaveLength(1);

    // Another cause: a new warning, naming it.
    createAnswer = 403;
    await vi.advanceTimersByTimeAsync(timing.retryPeriodMs);
    await settle(() => warnings().length === 2);
    expect(warnings()[1]).toMatch(/forbidden to create Lease no-such-ns\/clusterset-apiserver/);
    expect(problems.at(-1)?.reason).toBe("Forbidden");
    expect(elector.isLeader()).toBe(false);
  });

  it("says when the hub cannot be reached at all", async () => {
    const { logger, warnings } = fakeLogger();
    const closed = new k8s.KubeConfig();
    closed.loadFromOptions({
      clusters: [{ name: "hub", server: "http://127.0.0.1:1", skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "c", cluster: "hub", user: "u" }],
      currentContext: "c",
    });
    elector = startElection(hubLeaseClient(closed, "ns", "clusterset-apiserver"), "replica-a", logger, timing);
    await vi.advanceTimersByTimeAsync(0);
    await settle(() => warnings().length > 0);
    expect(warnings()[0]).toMatch(/cannot reach the hub to get Lease ns\/clusterset-apiserver/);
  });
});
