/**
 * Who may authenticate to us, as the hub says in `kube-system/extension-apiserver-authentication`: the client CA
 * for client certificates, and the front-proxy (requestheader) CA, allowed names and header names the hub's
 * aggregator uses when it proxies a request to us.
 *
 * The hub rotates these CAs, so the ConfigMap is watched (list + watch, `fieldSelector=metadata.name=…`: the
 * `extension-apiserver-authentication-reader` Role grants that one object by name) and every change takes
 * effect on the next request. authn/chain.ts reads `current()` per request; a snapshot is an immutable object that is
 * replaced, never mutated, so readers may cache derived data (parsed CAs) by its identity.
 */
import { CoreV1Api, KubeConfig, Watch, type V1ConfigMap } from "@kubernetes/client-node";
import { log as rootLog, type Logger } from "../log.js";
import { parseCertificateBundle } from "./tls/pem.js";

export interface RequestHeaderConfig {
  /** PEM bundle (maybe several certificates) the front proxy's client certificate must chain to. */
  clientCA: string;
  /** CNs allowed for the front proxy's certificate; empty: any certificate from clientCA. */
  allowedNames: string[];
  usernameHeaders: string[];
  /** Set by 1.33 hubs (`X-Remote-Uid`); empty before. */
  uidHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

export interface AuthConfig {
  /** PEM bundle for client-certificate authentication (user = CN, groups = O); undefined: none accepted. */
  clientCA?: string;
  /** Front-proxy authentication; undefined when the hub configures none. */
  requestHeader?: RequestHeaderConfig;
}

export interface AuthConfigSource {
  /** The config now in force (an empty one before the first load). Same object until the next change. */
  current(): AuthConfig;
  /** True once a config has been loaded (for /readyz). */
  ready(): boolean;
  /** Called after every change; returns a function that unsubscribes. */
  onChange(listener: (config: AuthConfig) => void): () => void;
}

export const AUTH_CONFIGMAP_NAMESPACE = "kube-system";
export const AUTH_CONFIGMAP_NAME = "extension-apiserver-authentication";

/**
 * The ConfigMap's data → AuthConfig. Throws (with the key at fault) on a list that is not a JSON array of
 * strings or on a CA that does not parse: the caller keeps the previous config rather than trust half of one.
 */
export function parseAuthConfigMap(data: Record<string, string> | undefined): AuthConfig {
  const d = data ?? {};
  const config: AuthConfig = {};
  const clientCA = d["client-ca-file"];
  if (clientCA && clientCA.trim() !== "") {
    parseCertificateBundle(clientCA, "client-ca-file");
    config.clientCA = clientCA;
  }
  const rhCA = d["requestheader-client-ca-file"];
  if (rhCA && rhCA.trim() !== "") {
    parseCertificateBundle(rhCA, "requestheader-client-ca-file");
    config.requestHeader = {
      clientCA: rhCA,
      allowedNames: stringList(d, "requestheader-allowed-names", false),
      usernameHeaders: stringList(d, "requestheader-username-headers", true),
      uidHeaders: stringList(d, "requestheader-uid-headers", true),
      groupHeaders: stringList(d, "requestheader-group-headers", true),
      extraHeaderPrefixes: stringList(d, "requestheader-extra-headers-prefix", true),
    };
  }
  return config;
}

function stringList(data: Record<string, string>, key: string, headerNames: boolean): string[] {
  const raw = data[key];
  if (raw === undefined || raw.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${key}: not a JSON array of strings`);
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== "string")) {
    throw new Error(`${key}: not a JSON array of strings`);
  }
  const values = parsed as string[];
  // Header names are matched case-insensitively and trimmed, as k8s.io/apiserver does; names stay exact.
  return headerNames ? values.map((v) => v.trim()).filter((v) => v !== "") : values;
}

/** Shared plumbing of the sources: the snapshot and its listeners. */
class ConfigHolder {
  protected config: AuthConfig = {};
  protected loaded = false;
  private readonly listeners = new Set<(config: AuthConfig) => void>();

  current(): AuthConfig {
    return this.config;
  }
  ready(): boolean {
    return this.loaded;
  }
  onChange(listener: (config: AuthConfig) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  protected publish(config: AuthConfig): void {
    this.config = Object.freeze(config);
    this.loaded = true;
    for (const l of this.listeners) l(config);
  }
}

/**
 * A source with a fixed config (tests, or a server run without the hub); `set` swaps it, as a rotation would.
 * Both throw on a CA bundle that does not parse, so a bad fixture fails where it is made.
 */
export class StaticAuthConfig extends ConfigHolder implements AuthConfigSource {
  constructor(config: AuthConfig) {
    super();
    this.set(config);
  }
  set(config: AuthConfig): void {
    if (config.clientCA !== undefined) parseCertificateBundle(config.clientCA, "clientCA");
    if (config.requestHeader) parseCertificateBundle(config.requestHeader.clientCA, "requestHeader.clientCA");
    this.publish(config);
  }
}

export function staticAuthConfig(config: AuthConfig): StaticAuthConfig {
  return new StaticAuthConfig(config);
}

export interface HubAuthConfigOptions {
  logger?: Logger;
  /** Server-side watch timeout; the watch is renewed from the last resourceVersion after it. */
  watchTimeoutSeconds?: number;
  /** Longest wait between retries after an error. */
  maxBackoffMs?: number;
}

/**
 * Keeps the ConfigMap's config current: list, then watch from the list's resourceVersion; a watch that ends is
 * resumed, one that is too old (410) relisted, errors retried with backoff. If the ConfigMap disappears the last
 * config stays (kube-apiserver recreates it), as k8s.io/apiserver does. Call `stop()` on shutdown.
 */
export class HubAuthConfig extends ConfigHolder implements AuthConfigSource {
  /** The last error reaching or reading the ConfigMap; undefined after a good load. */
  lastError: string | undefined;
  private stopped = false;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private readonly firstLoad: Promise<void>;
  private resolveFirstLoad!: () => void;
  private readonly core: CoreV1Api;
  private readonly watcher: Watch;
  private readonly logger: Logger;
  private lastRaw: string | undefined;

  constructor(
    kc: KubeConfig,
    private readonly opts: HubAuthConfigOptions = {},
  ) {
    super();
    this.core = kc.makeApiClient(CoreV1Api);
    this.watcher = new Watch(kc);
    this.logger = opts.logger ?? rootLog.child({ component: "auth-config" });
    this.firstLoad = new Promise((resolve) => (this.resolveFirstLoad = resolve));
  }

  /** Starts the list/watch loop in the background. */
  start(): this {
    void this.run();
    return this;
  }

  /** Resolves once the first config is loaded (never rejects; see `lastError` while waiting). */
  whenReady(): Promise<void> {
    return this.firstLoad;
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
  }

  private async run(): Promise<void> {
    const maxBackoff = this.opts.maxBackoffMs ?? 30_000;
    const firstBackoff = Math.min(500, maxBackoff);
    let backoff = firstBackoff;
    while (!this.stopped) {
      try {
        const rv = await this.list();
        backoff = firstBackoff;
        await this.watchFrom(rv);
      } catch (err) {
        if (this.stopped) break;
        this.lastError = describeError(err);
        this.logger.warn({ err: this.lastError }, `cannot read ${AUTH_CONFIGMAP_NAMESPACE}/${AUTH_CONFIGMAP_NAME}; retrying`);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  }

  private async list(): Promise<string> {
    const list = await this.core.listNamespacedConfigMap({
      namespace: AUTH_CONFIGMAP_NAMESPACE,
      fieldSelector: `metadata.name=${AUTH_CONFIGMAP_NAME}`,
    });
    const cm = list.items.find((i) => i.metadata?.name === AUTH_CONFIGMAP_NAME);
    if (cm) this.apply(cm);
    else this.logger.warn(`${AUTH_CONFIGMAP_NAMESPACE}/${AUTH_CONFIGMAP_NAME} not found: only bearer tokens can authenticate`);
    this.markLoaded();
    return list.metadata?.resourceVersion ?? "";
  }

  /** Watches until the watch must be relisted (410) — returns — or fails — throws. */
  private async watchFrom(resourceVersion: string): Promise<void> {
    let rv = resourceVersion;
    const timeout = this.opts.watchTimeoutSeconds ?? 300;
    while (!this.stopped) {
      const started = Date.now();
      let events = 0;
      const outcome = await new Promise<"resume" | "relist">((resolve, reject) => {
        let settled = false;
        const finish = (err: unknown, result: "resume" | "relist") => {
          if (settled) return;
          settled = true;
          clearTimeout(watchdog);
          if (err) reject(err);
          else resolve(result);
        };
        // A dead TCP connection never ends the stream: give up a little after the server should have closed it.
        const watchdog = setTimeout(() => {
          this.abort?.abort();
          finish(undefined, "resume");
        }, (timeout + 30) * 1000);
        watchdog.unref();
        this.watcher
          .watch(
            `/api/v1/namespaces/${AUTH_CONFIGMAP_NAMESPACE}/configmaps`,
            { fieldSelector: `metadata.name=${AUTH_CONFIGMAP_NAME}`, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: timeout },
            (type: string, obj: unknown) => {
              const o = obj as V1ConfigMap & { code?: number };
              if (type === "ERROR") {
                // 410 Gone: our resourceVersion is too old; anything else: start over as well.
                if (o.code !== 410) this.logger.warn({ code: o.code }, "auth ConfigMap watch error; relisting");
                this.abort?.abort();
                finish(undefined, "relist");
                return;
              }
              events++;
              if (o.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
              if ((type === "ADDED" || type === "MODIFIED") && o.metadata?.name === AUTH_CONFIGMAP_NAME) this.apply(o);
              if (type === "DELETED") this.logger.warn(`${AUTH_CONFIGMAP_NAMESPACE}/${AUTH_CONFIGMAP_NAME} deleted; keeping the last config`);
            },
            (err: unknown) => finish(err, "resume"),
          )
          .then((controller) => {
            this.abort = controller;
            if (this.stopped || settled) controller.abort();
          }, (err: unknown) => finish(err, "resume"));
      });
      if (outcome === "relist") return;
      // A watch that closes at once, again and again (a proxy in the way), must not become a busy loop.
      if (events === 0 && Date.now() - started < 1000) await this.sleep(1000);
    }
  }

  private apply(cm: V1ConfigMap): void {
    // Resumed watches replay the object; only a real change is published (listeners, cache resets).
    const raw = JSON.stringify(cm.data ?? {});
    if (raw === this.lastRaw) return;
    let config: AuthConfig;
    try {
      config = parseAuthConfigMap(cm.data);
    } catch (err) {
      this.lastError = describeError(err);
      this.logger.error({ err: this.lastError }, `invalid ${AUTH_CONFIGMAP_NAMESPACE}/${AUTH_CONFIGMAP_NAME}; keeping the last config`);
      return;
    }
    this.lastRaw = raw;
    this.lastError = undefined;
    this.logger.info(
      {
        clientCA: config.clientCA !== undefined,
        requestHeader: config.requestHeader !== undefined,
        allowedNames: config.requestHeader?.allowedNames,
        resourceVersion: cm.metadata?.resourceVersion,
      },
      "authentication config loaded",
    );
    this.publish(config);
  }

  private markLoaded(): void {
    if (!this.loaded) this.publish(this.config); // not found: ready with what we have (nothing)
    this.resolveFirstLoad();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      t.unref();
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

/** Starts watching the hub's ConfigMap. */
export function watchAuthConfig(kc: KubeConfig, opts: HubAuthConfigOptions = {}): HubAuthConfig {
  return new HubAuthConfig(kc, opts).start();
}

/** The same, as server.ts calls it: `loadAuthConfig(kc, logger)`; `ready()` for /readyz, `stop()` on shutdown. */
export function loadAuthConfig(kc: KubeConfig, logger?: Logger): HubAuthConfig {
  return watchAuthConfig(kc, logger ? { logger } : {});
}

/**
 * An error's status code and the hub's Status message: never the whole error, whose text may include request
 * or response headers.
 */
export function describeError(err: unknown): string {
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown; body?: unknown };
  const code = e.code ?? e.statusCode;
  if (typeof code === "number") {
    let body = e.body;
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch {
        body = undefined;
      }
    }
    const message = (body as { message?: unknown } | undefined)?.message;
    return typeof message === "string" ? `HTTP ${code}: ${message}` : `HTTP ${code}`;
  }
  return typeof e.message === "string" ? e.message.split("\n")[0]! : String(err);
}
