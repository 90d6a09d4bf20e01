/**
 * The one wiring file: hub client, storage, resources, authentication and authorization, health, OpenAPI, and
 * the HTTP/2 + HTTP/1.1 server. Nothing else imports every folder.
 */
import { randomUUID } from "node:crypto";
import http2 from "node:http2";
import { hostname } from "node:os";
import * as k8s from "@kubernetes/client-node";
import { GROUP as group, GROUP_VERSION, VERSION as version } from "./api/group.js";
import { createApp } from "./apiserver/app.js";
import { loadAuthConfig } from "./apiserver/auth-config.js";
import { createAuthenticator } from "./apiserver/authn/chain.js";
import { createAuthorizer, forbiddenMessage } from "./apiserver/authz.js";
import type { HealthCheck } from "./apiserver/health.js";
import { createMetrics, type Metrics } from "./apiserver/metrics.js";
import { answerClientError, http1MaxHeaderBytes } from "./apiserver/http1-limits.js";
import { loadServingCert } from "./apiserver/tls/serving.js";
import { endAllWatches } from "./apiserver/watch-stream.js";
import { ConfigError, type Config } from "./config.js";
import { watchCRDConflicts } from "./kube/crd-conflicts.js";
import { hubLeaseClient } from "./leader/lease-client.js";
import { defaultTiming, startElection } from "./leader/lease.js";
import { log } from "./log.js";
import { startFleet } from "./members/fleet.js";
import { watchNamespaceLabels } from "./members/namespaces.js";
import { startProfileWriter } from "./controllers/clusterprofiles/writer.js";
import { startWorkDispatcher } from "./controllers/works/dispatcher.js";
import { createEventRecorder, hubEventSink } from "./kube/events.js";
import { buildOpenAPI } from "./openapi/index.js";
import { descriptors } from "./resources/descriptors.js";
import { createResources } from "./resources/registries.js";
import { openStore, type StorageEventSink } from "./storage/index.js";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export function hubConfig(config: Config): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
    else kc.loadFromCluster();
  } catch (e) {
    throw new ConfigError(`cannot load the hub kubeconfig ${config.kubeconfig ? `--kubeconfig ${config.kubeconfig}` : "(in-cluster)"}: ${(e as Error).message}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new ConfigError(`the hub kubeconfig${config.kubeconfig ? ` ${config.kubeconfig}` : ""} names no cluster server; give --kubeconfig or run in a cluster`);
  return kc;
}

/** Says clearly, once at start, when the hub cannot be reached; the server keeps trying (readyz stays false). */
async function probeHub(kc: k8s.KubeConfig): Promise<void> {
  const server = kc.getCurrentCluster()?.server;
  try {
    await kc.makeApiClient(k8s.VersionApi).getCode();
  } catch (e) {
    log.error({ hub: server, err: (e as Error).message }, `cannot reach the hub at ${server}: ${(e as Error).message}; retrying, /readyz fails until it answers`);
  }
}

/** What storage retried or dropped: a warning (a resync is routine enough for info) and a count per kind. */
function storageEvents(metrics: Metrics): StorageEventSink {
  const storageLog = log.child({ component: "storage" });
  return (e) => {
    metrics.storageEvents.inc({ event: e.kind });
    storageLog[e.kind === "cacher-resync" ? "info" : "warn"]({ event: e.kind, ...(e.error ? { err: e.error } : {}) }, e.message);
  };
}

export async function startServer(config: Config): Promise<RunningServer> {
  log.level = config.logLevel;
  const kc = hubConfig(config);
  void probeHub(kc);
  const cert = await loadServingCert({
    ...(config.tlsCertFile ? { certFile: config.tlsCertFile, keyFile: config.tlsPrivateKeyFile! } : {}),
    certDir: config.certDir,
    serviceName: config.serviceName,
    namespace: config.serviceNamespace,
    logger: log.child({ component: "tls" }),
  });
  const metrics = createMetrics();
  const store = await openStore({
    backend: config.storageBackend,
    dataDir: config.dataDir,
    etcdServers: config.etcdServers,
    prefix: config.etcdPrefix,
    events: storageEvents(metrics),
    tuning: { historyLimit: config.watchHistorySize },
  });
  const fleet = startFleet(kc, { namespaces: config.namespaces, log: log.child({ component: "members" }) });
  const namespaceLabels = watchNamespaceLabels(kc, log.child({ component: "namespaces" }));
  const elector = startElection(hubLeaseClient(kc, config.serviceNamespace, "clusterset-apiserver"), `${hostname()}_${randomUUID()}`, log.child({ component: "leader", namespace: config.serviceNamespace }), defaultTiming, Date.now, {
    onProblem: (p) => metrics.leaseProblems.inc({ reason: p.reason }),
  });
  const events = createEventRecorder({ sink: hubEventSink(kc), log: log.child({ component: "events" }) });
  const writer = startProfileWriter({ store, fleet, namespaces: namespaceLabels, elector, events, log: log.child({ component: "profile-writer" }) });
  const dispatcher = startWorkDispatcher({ store, fleet, elector, events, log: log.child({ component: "work-dispatcher" }) });
  const resources = createResources(store, {
    secretOf: (ns, name) => {
      const src = fleet.source(`${ns}/${name}`);
      return src ? `${src.namespace}/${src.secretName}` : undefined;
    },
  }, (ns) => namespaceLabels.phase(ns));
  const authConfig = loadAuthConfig(kc, log.child({ component: "auth-config" }));
  const authn = createAuthenticator(authConfig, kc);
  const authz = createAuthorizer(kc);
  const crds = watchCRDConflicts(kc, group, version, log.child({ component: "crd-conflicts" }));
  const openapi = buildOpenAPI(descriptors);
  elector.onChange((leading) => metrics.leader.set(leading ? 1 : 0));

  const ping: HealthCheck = { name: "ping", check: () => undefined };
  const readyz: HealthCheck[] = [
    ping,
    { name: "authentication-config", check: () => (authConfig.ready() ? undefined : "the hub's extension-apiserver-authentication ConfigMap is not loaded yet") },
    { name: "crd-informer-synced", check: () => (crds.synced() ? undefined : "CustomResourceDefinitions on the hub not listed yet") },
    { name: "no-conflicting-crds", check: () => crds.message() },
    { name: "member-secrets-synced", check: () => (fleet.isSynced() ? undefined : "member Secrets on the hub not listed yet") },
  ];

  const app = createApp({
    group,
    version,
    resources,
    authenticate: (req) => authn.authenticate(req),
    authorize: async (user, info) => authz.authorize(user, info),
    forbiddenMessage,
    checks: { healthz: [ping], livez: [ping], readyz },
    openapi: () => openapi,
    metrics,
    log: log.child({ component: "http" }),
    maxInflight: config.maxRequestsInflight,
    version_info: { major: "0", minor: "1", gitVersion: "v0.1.0", platform: `${process.platform}/${process.arch}` },
  });

  // maxSessionMemory: one LIST of 10,000 objects is ~40 MB queued on one of the hub's sessions; at Node's default
  // (10 MB) new streams on that session are refused (ENHANCE_YOUR_CALM → 503 from the hub).
  // maxConcurrentStreams 250: Node 20 closes a connection after ~1,000 cancelled streams in a burst (its rapid-reset
  // guard); thousands of watchers leaving through the hub are such a burst, so the hub is made to spread its
  // streams over more connections (it opens another when a connection is full).
  const server = http2.createSecureServer({ ...cert.serverOptions(), maxSessionMemory: 128, settings: { maxConcurrentStreams: 250 } }, app);
  // HTTP/1.1 heads up to kube-apiserver's 1 MiB (Node's HTTP/1.1 parser reads the limit from the server object;
  // node:http2 takes no option for it), and Go's 431/400 for what is refused (http1-limits.ts).
  (server as unknown as { maxHeaderSize: number }).maxHeaderSize = http1MaxHeaderBytes;
  server.on("clientError", answerClientError);
  const stopCertWatch = cert.watch((opts) => server.setSecureContext(opts));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.securePort, config.bindAddress, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.securePort;
  log.info({ port, bindAddress: config.bindAddress, storage: config.storageBackend }, `serving ${GROUP_VERSION}`);

  return {
    port,
    async close() {
      stopCertWatch();
      endAllWatches();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open watches would hold close() forever: end the sessions now that no new request is taken.
        setTimeout(() => resolve(), 2000).unref();
      });
      writer.stop();
      await dispatcher.stop();
      events.stop();
      await elector.stop();
      await Promise.allSettled([crds.stop(), authConfig.stop(), fleet.stop(), namespaceLabels.stop()]);
      await store.close();
    },
  };
}
