/**
 * Prometheus metrics with kube-apiserver's names, so existing dashboards read us, plus our own gauges.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export function createMetrics() {
  const registry = new Registry();
  const labelNames = ["verb", "group", "version", "resource", "subresource", "scope", "code"] as const;
  const requests = new Counter({ name: "apiserver_request_total", help: "Counter of apiserver requests broken out for each verb, group, version, resource, scope and response code.", labelNames, registers: [registry] });
  const duration = new Histogram({
    name: "apiserver_request_duration_seconds",
    help: "Response latency distribution in seconds for each verb, group, version, resource, subresource and scope.",
    labelNames: ["verb", "group", "version", "resource", "subresource", "scope"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.5, 2, 3, 5, 10, 30, 60],
    registers: [registry],
  });
  const inflight = new Gauge({ name: "apiserver_current_inflight_requests", help: "Maximal number of currently used inflight request limit of this apiserver per request kind.", labelNames: ["request_kind"], registers: [registry] });
  const longrunning = new Gauge({ name: "apiserver_longrunning_requests", help: "Gauge of all active long-running apiserver requests (watches).", labelNames: ["verb", "group", "version", "resource", "scope"], registers: [registry] });
  const watchers = new Gauge({ name: "clusterset_watchers", help: "Open watches served by this replica.", registers: [registry] });
  const leader = new Gauge({ name: "clusterset_leader", help: "1 while this replica holds the leader Lease (writes computed objects, applies Works).", registers: [registry] });
  const leaseProblems = new Counter({ name: "clusterset_leader_lease_problems_total", help: "Attempts to take or renew the leader Lease that failed, by reason (OtherHolder is the election working; any other reason keeps this replica from ever leading).", labelNames: ["reason"], registers: [registry] });
  const storageEvents = new Counter({ name: "clusterset_storage_events_total", help: "What storage retried or dropped, by kind (cacher reloads, etcd watch restarts, compaction failures).", labelNames: ["event"], registers: [registry] });
  const watchesEnded = new Counter({ name: "clusterset_watches_ended_total", help: "Watches this replica ended, by reason (timeout, client-closed, too-slow: a client that did not read, cut off; shutdown).", labelNames: ["reason"], registers: [registry] });
  return { registry, requests, duration, inflight, longrunning, watchers, leader, leaseProblems, storageEvents, watchesEnded };
}

export type Metrics = ReturnType<typeof createMetrics>;
