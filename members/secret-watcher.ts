/**
 * The hub's member Secrets, list+watch, turned into member source changes. The hub filters by Secret type
 * (field selector `type=`), so we never hold the hub's other Secrets; with `--namespaces`, one watch per
 * namespace and type, else one per type across the hub.
 */
import * as k8s from "@kubernetes/client-node";
import type { Logger } from "pino";
import { startInformer, type ResilientInformer } from "../kube/informer.js";
import { MemberIndex, type SourceChange } from "./member-index.js";
import { CAPI_SECRET_TYPE, KUBECONFIG_SECRET_TYPE, type MemberSource } from "./secrets.js";

export interface MemberSecrets {
  /** Resolves once every watched namespace and type has been listed. */
  synced: Promise<void>;
  isSynced(): boolean;
  sources(): MemberSource[];
  get(key: string): MemberSource | undefined;
  stop(): Promise<void>;
}

export interface MemberSecretsOptions {
  /** `--namespaces`; empty: every namespace. */
  namespaces: readonly string[];
  log: Logger;
}

export function watchMemberSecrets(kc: k8s.KubeConfig, opts: MemberSecretsOptions, onChange: (c: SourceChange) => void): MemberSecrets {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const index = new MemberIndex(opts.namespaces);
  const reported = new Map<string, string>();
  const scopes: Array<string | undefined> = opts.namespaces.length ? [...opts.namespaces] : [undefined];
  const informers: Array<ResilientInformer<k8s.V1Secret>> = [];

  const handle = (type: "add" | "update" | "delete", secret: k8s.V1Secret) => {
    const r = index.apply(type, secret);
    const where = `${secret.metadata?.namespace}/${secret.metadata?.name}`;
    if (r.skipped && reported.get(where) !== r.skipped) {
      reported.set(where, r.skipped);
      opts.log.warn({ secret: where, problem: r.skipped }, `Secret ${where} cannot join: ${r.skipped}`);
    } else if (!r.skipped) reported.delete(where);
    for (const c of r.changes) {
      if (c.type === "upsert" && c.source.ignored.length) {
        opts.log.warn({ profile: c.key, secret: c.source.secretName, ignored: c.source.ignored }, `several Secrets name profile ${c.key}; the oldest, ${c.source.secretName}, wins`);
      }
      onChange(c);
    }
  };

  for (const ns of scopes) {
    for (const type of [KUBECONFIG_SECRET_TYPE, CAPI_SECRET_TYPE]) {
      const fieldSelector = `type=${type}`;
      const base = ns ? `/api/v1/namespaces/${ns}/secrets` : "/api/v1/secrets";
      const list = () => (ns ? core.listNamespacedSecret({ namespace: ns, fieldSelector }) : core.listSecretForAllNamespaces({ fieldSelector }));
      informers.push(startInformer<k8s.V1Secret>(kc, `${base}?fieldSelector=${encodeURIComponent(fieldSelector)}`, list, opts.log, handle));
    }
  }

  return {
    synced: Promise.all(informers.map((i) => i.synced)).then(() => undefined),
    isSynced: () => informers.every((i) => i.isSynced()),
    sources: () => index.sources(),
    get: (key) => index.get(key),
    stop: async () => {
      await Promise.allSettled(informers.map((i) => i.stop()));
    },
  };
}
