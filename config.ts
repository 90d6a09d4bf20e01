/**
 * Command-line flags → one typed, validated Config. Flag names follow kube-apiserver's; a bad flag fails fast
 * with a message that names it.
 */
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { defaultTuning } from "./storage/tuning.js";

export interface Config {
  securePort: number;
  bindAddress: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  certDir: string;
  kubeconfig?: string;
  storageBackend: "level" | "etcd";
  dataDir: string;
  etcdServers: string[];
  etcdPrefix: string;
  namespaces: string[];
  serviceName: string;
  serviceNamespace: string;
  maxRequestsInflight: number;
  watchHistorySize: number;
  logLevel: string;
}

/** Where Kubernetes mounts the namespace of a Pod's ServiceAccount. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
const FALLBACK_NAMESPACE = "clusterset-system";

const flags = {
  "secure-port": { type: "string", default: "8443", help: "The port on which to serve HTTPS (HTTP/2 and HTTP/1.1)." },
  "bind-address": { type: "string", default: "0.0.0.0", help: "The IP address on which to listen for --secure-port." },
  "tls-cert-file": { type: "string", help: "File containing the serving certificate (PEM). Self-signed when absent." },
  "tls-private-key-file": { type: "string", help: "File containing the serving private key (PEM)." },
  "cert-dir": { type: "string", default: ".data/certs", help: "Where a self-signed serving certificate is written and reused." },
  kubeconfig: { type: "string", help: "Kubeconfig of the hub cluster. In-cluster configuration when absent." },
  "storage-backend": { type: "string", default: "level", help: "Storage backend: level (embedded) or etcd." },
  "data-dir": { type: "string", default: ".data/level", help: "Directory of the embedded level store." },
  "etcd-servers": { type: "string", default: "", help: "Comma-separated etcd URLs (with --storage-backend=etcd)." },
  "etcd-prefix": { type: "string", default: "/clusterset", help: "Key prefix in etcd." },
  namespaces: { type: "string", default: "", help: "Comma-separated hub namespaces to watch for member Secrets (default: all)." },
  "service-name": { type: "string", default: "clusterset-apiserver", help: "Service name the hub dials (serving certificate SAN)." },
  "service-namespace": {
    type: "string",
    default: "",
    help: `Namespace of that Service and of the leader Lease. Default: the namespace the server runs in (in-cluster, read from ${SERVICE_ACCOUNT_NAMESPACE_FILE}), else ${FALLBACK_NAMESPACE}.`,
  },
  "max-requests-inflight": { type: "string", default: "400", help: "Requests served at once (watches excepted) before 429." },
  "watch-history-size": {
    type: "string",
    default: String(defaultTuning.historyLimit),
    help: "Changes kept in memory for watches to resume from and continue tokens to list at; a client asking for an older resourceVersion gets 410 Expired and re-lists.",
  },
  "log-level": { type: "string", default: "info", help: "pino log level: debug, info, warn, error." },
  help: { type: "boolean", default: false, help: "Show this help." },
} as const;

export class ConfigError extends Error {}

export function usage(): string {
  const lines = Object.entries(flags).map(([name, f]) => {
    const def = "default" in f && f.default !== "" && f.type === "string" ? ` (default ${JSON.stringify(f.default)})` : "";
    return `  --${name}${f.type === "string" ? " string" : ""}\n      ${f.help}${def}`;
  });
  return `Usage: clusterset-apiserver serve [flags]\n\nFlags:\n${lines.join("\n")}\n`;
}

function port(name: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new ConfigError(`invalid --${name} ${JSON.stringify(v)}: must be a port number between 1 and 65535`);
  return Number(v);
}

function positiveInt(name: string, v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < 1) throw new ConfigError(`invalid --${name} ${JSON.stringify(v)}: must be a positive integer`);
  return Number(v);
}

const list = (v: string): string[] => v.split(",").map((s) => s.trim()).filter(Boolean);

/** The namespace the server runs in, when it runs in a cluster (its ServiceAccount token's mount says it). */
export function inClusterNamespace(file = SERVICE_ACCOUNT_NAMESPACE_FILE): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses `serve` flags. Returns "help" when --help was asked. Throws ConfigError on a bad flag.
 * `runningIn` says which namespace the server runs in (undefined outside a cluster); tests pass their own.
 */
export function parseConfig(argv: string[], runningIn: () => string | undefined = inClusterNamespace): Config | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.entries(flags).map(([k, f]) => [k, { type: f.type, ...("default" in f ? { default: f.default } : {}) }]));
    values = parseArgs({ args: argv, options: options as ParseArgsConfig["options"], strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new ConfigError(`${(e as Error).message.replace(/\. To specify.*$/s, "")}\nRun 'clusterset-apiserver serve --help' for the flags.`);
  }
  if (values.help) return "help";
  const s = (k: keyof typeof flags) => values[k] as string;
  const backend = s("storage-backend");
  if (backend !== "level" && backend !== "etcd") throw new ConfigError(`invalid --storage-backend ${JSON.stringify(backend)}: must be level or etcd`);
  const etcdServers = list(s("etcd-servers"));
  if (backend === "etcd" && etcdServers.length === 0) throw new ConfigError("--etcd-servers is required with --storage-backend=etcd");
  for (const u of etcdServers) {
    if (!/^https?:\/\/[^/]+/.test(u)) throw new ConfigError(`invalid --etcd-servers entry ${JSON.stringify(u)}: must be an http(s) URL`);
  }
  const cert = values["tls-cert-file"] as string | undefined;
  const key = values["tls-private-key-file"] as string | undefined;
  if (Boolean(cert) !== Boolean(key)) throw new ConfigError("--tls-cert-file and --tls-private-key-file must be given together");
  const config: Config = {
    securePort: port("secure-port", s("secure-port")),
    bindAddress: s("bind-address"),
    certDir: s("cert-dir"),
    storageBackend: backend,
    dataDir: s("data-dir"),
    etcdServers,
    etcdPrefix: s("etcd-prefix"),
    namespaces: list(s("namespaces")),
    serviceName: s("service-name"),
    serviceNamespace: s("service-namespace") || runningIn() || FALLBACK_NAMESPACE,
    maxRequestsInflight: positiveInt("max-requests-inflight", s("max-requests-inflight")),
    watchHistorySize: positiveInt("watch-history-size", s("watch-history-size")),
    logLevel: s("log-level"),
  };
  if (cert) config.tlsCertFile = cert;
  if (key) config.tlsPrivateKeyFile = key;
  if (values.kubeconfig) config.kubeconfig = values.kubeconfig as string;
  return config;
}
