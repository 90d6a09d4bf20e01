/**
 * `clusterset-apiserver migrate [--dry-run] [serve's hub and storage flags]`: moving in from the upstream CRDs. Copies
 * every ClusterProfile, PlacementDecision and Work that the hub's upstream CRDs hold into our storage, kept as the
 * hub stored them (api/migration.ts), before the CRDs — and with them those objects — are deleted. Idempotent:
 * a second run finds everything unchanged. Run it before our server uses that storage (a level data dir is
 * locked by a running server); the README gives the whole procedure.
 */
import * as k8s from "@kubernetes/client-node";
import { ConfigError, parseConfig, type Config } from "./config.js";
import { MIGRATED, MIGRATED_GROUP, MIGRATED_VERSION, planCopy, storageKey, type CopyAction } from "./api/migration.js";
import { hubConfig } from "./server.js";
import { openStore, StorageError, type KubeObject, type Store } from "./storage/index.js";

export const migrateUsage = `Usage: clusterset-apiserver migrate [--dry-run] [flags]

Copies every ClusterProfile, PlacementDecision and Work held by the hub's upstream CustomResourceDefinitions
(${MIGRATED.map((m) => `${m.resource}.${MIGRATED_GROUP}`).join(", ")}) into clusterset-apiserver's storage:
names, uids, labels, annotations, owner references, spec and status. Run it before deleting those CRDs, with the
storage flags the server will use (a level --data-dir must not be in use by a running server). Idempotent.

Flags:
  --dry-run                  say what would be copied; write nothing
  --kubeconfig string        the hub (default: in-cluster)
  --namespaces strings       copy only these namespaces (default: all)
  --storage-backend string   level (default) or etcd
  --data-dir string          the level store (default .data/level)
  --etcd-servers strings     etcd URLs (with --storage-backend=etcd)
  --etcd-prefix string       key prefix in etcd (default /clusterset)
`;

const past: Record<CopyAction, string> = { create: "created", update: "updated", unchanged: "unchanged", conflict: "conflict", skip: "skipped" };
const future: Record<CopyAction, string> = { create: "would create", update: "would update", unchanged: "unchanged", conflict: "conflict", skip: "skipped" };

/** Runs the command; returns its report (one line per object, then a summary). Throws on a failure to read or write. */
export async function migrate(argv: string[]): Promise<{ report: string; conflicts: number }> {
  const dryRun = argv.includes("--dry-run");
  if (argv.includes("--help") || argv.includes("-h")) return { report: migrateUsage, conflicts: 0 };
  const config = parseConfig(argv.filter((a) => a !== "--dry-run"));
  if (config === "help") return { report: migrateUsage, conflicts: 0 };
  const kc = hubConfig(config);
  const crds = await upstreamCRDs(kc);
  const store = await openTarget(config);
  const lines: string[] = [];
  const counts = new Map<string, number>();
  try {
    for (const { resource, kind } of MIGRATED) {
      if (!crds.has(resource)) {
        lines.push(`${resource}.${MIGRATED_GROUP}: no CustomResourceDefinition on the hub serving ${MIGRATED_VERSION}; nothing to copy`);
        continue;
      }
      for (const obj of await listAll(kc, resource, config.namespaces)) {
        const key = storageKey(resource, obj);
        const plan = planCopy({ ...obj, kind }, await current(store, key));
        if (!dryRun && plan.action === "create") await store.create(key, plan.object!);
        if (!dryRun && plan.action === "update") await store.guaranteedUpdate(key, (cur) => ({ ...plan.object!, metadata: { ...plan.object!.metadata, resourceVersion: cur.metadata.resourceVersion } }));
        const word = (dryRun ? future : past)[plan.action];
        counts.set(word, (counts.get(word) ?? 0) + 1);
        lines.push(`${resource}.${MIGRATED_GROUP} ${obj.metadata.namespace}/${obj.metadata.name}: ${word}${plan.reason ? ` (${plan.reason})` : ""}`);
      }
    }
  } finally {
    await store.close();
  }
  const summary = [...counts].map(([w, n]) => `${n} ${w}`).join(", ") || "nothing found";
  lines.push(`${dryRun ? "dry run: " : ""}${summary}`);
  return { report: `${lines.join("\n")}\n`, conflicts: counts.get("conflict") ?? 0 };
}

/** Plurals of our resources that an upstream CRD serves at the version we store. */
async function upstreamCRDs(kc: k8s.KubeConfig): Promise<Set<string>> {
  const list = await kc.makeApiClient(k8s.ApiextensionsV1Api).listCustomResourceDefinition();
  const served = list.items.filter((c) => c.spec.group === MIGRATED_GROUP && c.spec.versions.some((v) => v.name === MIGRATED_VERSION && v.served));
  return new Set(served.map((c) => c.spec.names.plural));
}

async function listAll(kc: k8s.KubeConfig, plural: string, namespaces: readonly string[]): Promise<KubeObject[]> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const out: KubeObject[] = [];
  for (const namespace of namespaces.length ? namespaces : [undefined]) {
    let cont: string | undefined;
    do {
      const base = { group: MIGRATED_GROUP, version: MIGRATED_VERSION, plural, limit: 500, ...(cont ? { _continue: cont } : {}) };
      const page = (namespace ? await api.listNamespacedCustomObject({ ...base, namespace }) : await api.listClusterCustomObject(base)) as { items: KubeObject[]; metadata?: { _continue?: string; continue?: string } };
      out.push(...page.items);
      cont = page.metadata?.continue ?? page.metadata?._continue;
    } while (cont);
  }
  return out;
}

async function openTarget(config: Config): Promise<Store> {
  try {
    return await openStore({ backend: config.storageBackend, dataDir: config.dataDir, etcdServers: config.etcdServers, prefix: config.etcdPrefix });
  } catch (e) {
    const why = (e as Error).message;
    if (config.storageBackend === "level" && /lock/i.test(`${why} ${String((e as { cause?: unknown }).cause ?? "")}`)) {
      throw new ConfigError(`the level store in --data-dir ${config.dataDir} is in use (is the server running on it?): stop it, or migrate into etcd`);
    }
    throw e;
  }
}

async function current(store: Store, key: string): Promise<KubeObject | undefined> {
  try {
    return await store.get(key);
  } catch (e) {
    if (e instanceof StorageError && e.code === "NotFound") return undefined;
    throw e;
  }
}
