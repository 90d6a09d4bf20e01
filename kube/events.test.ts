import pino from "pino";
import { describe, expect, it } from "vitest";
import { createEventRecorder, FINISH_MS, REFRESH_MS, type EventSink, type HubEvent } from "./events.js";

const log = pino({ level: "silent" });
const ref = { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ClusterProfile", namespace: "fleet", name: "east", uid: "u-1" };

/** A hub that keeps what it was sent, answering as `answer` says. */
function fakeHub(answer: (call: "create" | "patch", e: HubEvent) => number | undefined = () => undefined) {
  const calls: { call: "create" | "patch"; event: HubEvent }[] = [];
  const stored = new Map<string, HubEvent>();
  const sink: EventSink = {
    async create(event) {
      calls.push({ call: "create", event });
      const code = answer("create", event);
      if (code) throw Object.assign(new Error(`HTTP ${code}`), { code });
      stored.set(event.metadata.name, event);
    },
    async patchSeries(event) {
      calls.push({ call: "patch", event });
      const code = answer("patch", event) ?? (stored.has(event.metadata.name) ? undefined : 404);
      if (code) throw Object.assign(new Error(`HTTP ${code}`), { code });
      stored.set(event.metadata.name, event);
    },
  };
  return { sink, calls, stored };
}

function clock(start = Date.parse("2026-12-06T12:00:00Z")) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe("event recorder", () => {
  it("creates the first event as client-go does: name, times, reporter, regarding", async () => {
    const hub = fakeHub();
    const c = clock();
    const r = createEventRecorder({ sink: hub.sink, log, now: c.now });
    r.record(ref, "Normal", "MemberJoined", "Join", "joined through Secret fleet/east");
    await r.idle();
    expect(hub.calls).toHaveLength(1);
    const e = hub.calls[0]!.event;
    expect(e).toMatchObject({ apiVersion: "events.k8s.io/v1", kind: "Event", type: "Normal", reason: "MemberJoined", action: "Join", note: "joined through Secret fleet/east", regarding: ref, reportingController: "clusterset-apiserver" });
    expect(e.metadata.namespace).toBe("fleet");
    expect(e.metadata.name).toMatch(/^east\.[0-9a-f]+$/);
    expect(e.eventTime).toBe("2026-12-06T12:00:00.000000Z");
    expect(e.reportingInstance).toMatch(/^clusterset-apiserver-/);
    expect(e.series).toBeUndefined();
    r.stop();
  });

  it("groups repeats into one series: the second patches count 2, later ones only count until the series ends", async () => {
    const hub = fakeHub();
    const c = clock();
    const r = createEventRecorder({ sink: hub.sink, log, now: c.now });
    for (let i = 0; i < 50; i++) {
      r.record(ref, "Warning", "Unreachable", "Probe", `attempt ${i}`);
      c.advance(1000);
    }
    await r.idle();
    expect(hub.calls.map((x) => x.call)).toEqual(["create", "patch"]);
    expect(hub.calls[1]!.event.series).toEqual({ count: 2, lastObservedTime: "2026-12-06T12:00:01.000000Z" });
    // Another reason, or another object, is another event.
    r.record(ref, "Normal", "Healthy", "Probe", "back");
    r.record({ ...ref, name: "west", uid: "u-2" }, "Warning", "Unreachable", "Probe", "down");
    await r.idle();
    expect(hub.calls.filter((x) => x.call === "create")).toHaveLength(3);
    // Six minutes without a repeat: the final count is written once, and the series is over.
    c.advance(FINISH_MS + 1);
    r.maintain();
    await r.idle();
    const last = hub.calls.at(-1)!;
    expect(last.call).toBe("patch");
    expect(last.event.series?.count).toBe(50);
    const before = hub.calls.length;
    r.maintain();
    await r.idle();
    expect(hub.calls.length).toBe(before);
    r.record(ref, "Warning", "Unreachable", "Probe", "again");
    await r.idle();
    expect(hub.calls.at(-1)!.call).toBe("create");
    r.stop();
  });

  it("refreshes a long series every 30 minutes", async () => {
    const hub = fakeHub();
    const c = clock();
    const r = createEventRecorder({ sink: hub.sink, log, now: c.now });
    r.record(ref, "Warning", "Unreachable", "Probe", "down");
    r.record(ref, "Warning", "Unreachable", "Probe", "down");
    for (let m = 0; m < 31; m++) {
      c.advance(60_000);
      r.record(ref, "Warning", "Unreachable", "Probe", "down");
      r.maintain();
    }
    await r.idle();
    const patches = hub.calls.filter((x) => x.call === "patch");
    expect(patches).toHaveLength(2);
    expect(patches[1]!.event.series?.count).toBe(2 + Math.ceil((REFRESH_MS + 1) / 60_000));
    r.stop();
  });

  it("never blocks the caller: a silent hub is retried, a refusal dropped, a full queue sheds", async () => {
    let down = true;
    const hub = fakeHub(() => (down ? 503 : undefined));
    const r = createEventRecorder({ sink: hub.sink, log, retryMs: 5, maxQueue: 3 });
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) r.record({ ...ref, name: `m${i}`, uid: `u${i}` }, "Normal", "MemberJoined", "Join", "x");
    expect(Date.now() - t0).toBeLessThan(100); // record() only queues
    await new Promise((res) => setTimeout(res, 30));
    down = false;
    await r.idle();
    // The first was being sent when the queue filled; 3 more fit; the rest were shed.
    expect(hub.stored.size).toBe(4);
    const refusing = fakeHub(() => 422);
    const r2 = createEventRecorder({ sink: refusing.sink, log, retryMs: 5 });
    r2.record(ref, "Normal", "MemberJoined", "Join", "x");
    await r2.idle();
    expect(refusing.calls).toHaveLength(1);
    r.stop();
    r2.stop();
  });

  it("keeps a note within the 1 kB events.k8s.io allows", async () => {
    const hub = fakeHub();
    const r = createEventRecorder({ sink: hub.sink, log });
    r.record(ref, "Warning", "ManifestRefused", "Apply", "x".repeat(5000));
    await r.idle();
    expect(hub.calls[0]!.event.note.length).toBe(1024);
    r.stop();
  });
});
