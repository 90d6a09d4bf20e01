import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { candidateVersions, servesClusterProperties } from "./about-discovery.js";
import { describeRequestError, healthFromProbe, ignoredNote, joinedAfterProbe } from "./health.js";
import { createLimiter } from "./limiter.js";
import { MemberRequestError } from "./member-http.js";
import { NodeTotalsTracker } from "./node-totals.js";
import { PropertyTracker } from "./properties.js";
import { Sensitive } from "./sensitive.js";

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

describe("health from /readyz", () => {
  it("classifies answers and failures", () => {
    expect(healthFromProbe({ status: 200, body: "ok" })).toEqual({ status: "True", reason: "Healthy", message: "/readyz ok" });
    expect(healthFromProbe({ status: 401, body: "" })).toMatchObject({ status: "False", reason: "Unauthorized" });
    expect(healthFromProbe({ status: 403, body: "" })).toMatchObject({ status: "False", reason: "Unauthorized" });
    expect(healthFromProbe({ status: 500, body: "[+]ping ok\n[-]etcd failed: reason withheld\n[-]poststarthook/x failed: not finished\nreadyz check failed" })).toEqual({
      status: "False",
      reason: "NotReady",
      message: "/readyz answered 500: etcd failed: reason withheld; poststarthook/x failed: not finished",
    });
    expect(healthFromProbe({ error: err("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1") })).toEqual({ status: "False", reason: "Unreachable", message: "cannot reach the member's API server: connection refused" });
    expect(healthFromProbe({ error: new MemberRequestError("no answer within 4s", "ETIMEDOUT") }).message).toMatch(/timed out: no answer within 4s/);
    expect(describeRequestError(err("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"))).toMatch(/^TLS handshake failed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    expect(describeRequestError(err("ENOTFOUND"))).toBe("host not found");
  });

  it("Joined: reached once stays True through outages; refused credentials are False", () => {
    const unknown = { status: "Unknown" as const, reason: "Connecting", message: "" };
    const down = { error: err("ECONNREFUSED") };
    expect(joinedAfterProbe(unknown, down, "https://m")).toMatchObject({ status: "False", reason: "Unreachable" });
    const joined = joinedAfterProbe(unknown, { status: 500, body: "" }, "https://m");
    expect(joined).toEqual({ status: "True", reason: "Joined", message: "member reached at https://m" });
    expect(joinedAfterProbe(joined, down, "https://m")).toBe(joined);
    expect(joinedAfterProbe(joined, { status: 401, body: "" }, "https://m")).toMatchObject({ status: "False", reason: "Unauthorized" });
  });

  it("names ignored Secrets", () => {
    expect(ignoredNote("fleet", [])).toBe("");
    expect(ignoredNote("fleet", ["b"])).toBe("; Secret fleet/b also names this profile and is ignored (the older Secret wins)");
    expect(ignoredNote("fleet", ["b", "c"])).toMatch(/Secrets fleet\/b, fleet\/c also name this profile and are ignored/);
  });
});

describe("about.k8s.io discovery", () => {
  it("prefers the group's preferred known version, else the newest known", () => {
    const g = (versions: string[], preferred?: string) => ({ versions: versions.map((version) => ({ version })), ...(preferred ? { preferredVersion: { version: preferred } } : {}) });
    expect(candidateVersions(g(["v1beta1", "v1alpha1"], "v1beta1"))).toEqual(["v1beta1", "v1alpha1"]);
    expect(candidateVersions(g(["v1alpha1", "v1beta1"], "v1alpha1"))).toEqual(["v1alpha1", "v1beta1"]);
    expect(candidateVersions(g(["v1alpha1"]))).toEqual(["v1alpha1"]);
    expect(candidateVersions(g(["v2"], "v2"))).toEqual([]);
    expect(servesClusterProperties({ resources: [{ name: "clusterproperties" }, { name: "clusterproperties/status" }] })).toBe(true);
    expect(servesClusterProperties({ resources: [] })).toBe(false);
  });
});

describe("trackers", () => {
  it("Node totals change only when summed fields change", () => {
    const t = new NodeTotalsTracker();
    const n = (name: string, cpu: string, extra: object = {}) => ({ metadata: { name }, status: { capacity: { cpu, memory: "1Gi" }, allocatable: { cpu, memory: "1Gi" }, ...extra } });
    expect(t.totals()).toEqual({ count: 0, cpuCapacity: "0", memoryCapacity: "0", cpuAllocatable: "0", memoryAllocatable: "0" });
    expect(t.upsert(n("a", "2"))).toBe(true);
    expect(t.upsert(n("a", "2", { conditions: [{ type: "Ready" }] }))).toBe(false);
    expect(t.upsert(n("b", "500m"))).toBe(true);
    expect(t.totals()).toEqual({ count: 2, cpuCapacity: "2500m", memoryCapacity: "2Gi", cpuAllocatable: "2500m", memoryAllocatable: "2Gi" });
    expect(t.remove(n("a", "2"))).toBe(true);
    expect(t.remove(n("a", "2"))).toBe(false);
    expect(t.totals().count).toBe(1);
  });

  it("properties keep first-seen per value and report oversized values once", () => {
    const t = new PropertyTracker();
    const d0 = new Date("2025-01-01T00:00:00.5Z");
    const d1 = new Date("2025-01-01T00:01:00Z");
    const p = (value: string) => ({ metadata: { name: "zone" }, spec: { value } });
    expect(t.upsert(p("a"), d0)).toEqual({ changed: true });
    expect(t.upsert(p("a"), d1)).toEqual({ changed: false });
    expect(t.list()).toEqual([{ name: "zone", value: "a", firstSeen: "2025-01-01T00:00:00Z" }]);
    expect(t.upsert(p("x".repeat(1025)), d1)).toEqual({ changed: true, dropped: { name: "zone", length: 1025 } });
    expect(t.upsert(p("x".repeat(1025)), d1)).toEqual({ changed: false });
    expect(t.upsert(p("b"), d1)).toEqual({ changed: true });
    expect(t.list()[0]!.firstSeen).toBe("2025-01-01T00:01:00Z");
  });
});

describe("limiter and sensitive", () => {
  it("admits n at once, the rest in order", async () => {
    const l = createLimiter(2);
    const r1 = await l.acquire();
    const r2 = await l.acquire();
    let third = false;
    const p3 = l.acquire().then((r) => ((third = true), r));
    await Promise.resolve();
    expect(third).toBe(false);
    expect(l.load()).toEqual({ active: 2, queued: 1 });
    r1();
    r1(); // twice is once
    const r3 = await p3;
    expect(l.load()).toEqual({ active: 2, queued: 0 });
    r2();
    r3();
    expect(l.load()).toEqual({ active: 0, queued: 0 });
  });

  it("never prints what it holds", () => {
    const s = new Sensitive(Buffer.from("secret-bytes"));
    expect(`${s}`).toBe("[redacted]");
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(inspect({ s })).not.toContain("secret");
  });
});
