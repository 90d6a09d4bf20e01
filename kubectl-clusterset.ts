#!/usr/bin/env node
/**
 * `kubectl clusterset` (a kubectl plugin: the `kubectl-clusterset` bin): `join` (as `clusterset-apiserver join`),
 * `status` (each member's health, version, nodes and Works) and `leave NAME` (deletes the member's join Secret
 * after saying what that removes). It talks to the hub with the user's kubeconfig, so the hub's RBAC decides.
 */
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { GROUP, VERSION } from "./api/group.js";
import { formatTable, memberStatuses } from "./cli/fleet-status.js";
import { leavePlan } from "./cli/leave-plan.js";
import type { ProfileLike, WorkLike } from "./cli/objects.js";
import { ConfigError } from "./config.js";
import { join } from "./join.js";

const usage = `kubectl clusterset: the hub's ClusterSet from kubectl

Commands:
  join     make a cluster a member (see 'kubectl clusterset join --help')
  status   every member: health and since when, version, nodes, its Works applied / failed
             [-n NAMESPACE | -A]   (default: all namespaces)
  leave    NAME -n NAMESPACE [--yes]: delete the member's join Secret, after showing what that removes

Hub access: --kubeconfig, --context, else $KUBECONFIG or ~/.kube/config, as kubectl.
`;

function hub(v: { kubeconfig?: string | undefined; context?: string | undefined }): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (v.kubeconfig) kc.loadFromFile(v.kubeconfig);
  else kc.loadFromDefault();
  if (v.context) kc.setCurrentContext(v.context);
  return kc;
}

async function list<T>(kc: k8s.KubeConfig, plural: string, namespace: string | undefined): Promise<T[]> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const base = { group: GROUP, version: VERSION, plural };
  const r = (namespace ? await api.listNamespacedCustomObject({ ...base, namespace }) : await api.listClusterCustomObject(base)) as { items: T[] };
  return r.items;
}

const flags = {
  kubeconfig: { type: "string" },
  context: { type: "string" },
  namespace: { type: "string", short: "n" },
  "all-namespaces": { type: "boolean", short: "A" },
  yes: { type: "boolean", short: "y" },
  help: { type: "boolean", short: "h" },
} as const;

async function status(argv: string[]): Promise<string> {
  const { values: v } = parseArgs({ args: argv, options: flags, strict: true });
  if (v.help) return usage;
  const kc = hub(v);
  const ns = v["all-namespaces"] ? undefined : v.namespace;
  const [profiles, works] = await Promise.all([list<ProfileLike>(kc, "clusterprofiles", ns), list<WorkLike>(kc, "works", ns)]);
  return formatTable(memberStatuses(profiles, works), new Date());
}

async function leave(argv: string[]): Promise<string> {
  const { values: v, positionals } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: true });
  if (v.help) return usage;
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new ConfigError("leave takes one member name: kubectl clusterset leave NAME -n NAMESPACE");
  const kc = hub(v);
  const namespace = v.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const profile = (await api.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: "clusterprofiles", namespace, name })) as ProfileLike;
  const plan = leavePlan(profile, await list<WorkLike>(kc, "works", namespace));
  process.stdout.write(plan.text);
  if (!v.yes && !(await confirm("Delete? [y/N] "))) return "Nothing deleted.\n";
  const [secretNs, secretName] = plan.secret.split("/") as [string, string];
  await kc.makeApiClient(k8s.CoreV1Api).deleteNamespacedSecret({ namespace: secretNs, name: secretName });
  return `secret ${plan.secret} deleted: member ${namespace}/${name} left\n`;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "join") process.stdout.write(await join(rest));
  else if (command === "status") process.stdout.write(await status(rest));
  else if (command === "leave") process.stdout.write(await leave(rest));
  else {
    process.stdout.write(usage);
    return command === undefined || command === "--help" || command === "-h" ? 0 : 2;
  }
  return 0;
}

/** The hub's own words for a refused request (its Status message), else the error's first line. */
function describe(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  if (typeof body === "string") {
    try {
      const message = (JSON.parse(body) as { message?: unknown }).message;
      if (typeof message === "string") return message;
    } catch {
      // not a Status: fall through
    }
  }
  return err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${describe(err)}\n`);
    process.exit(1);
  },
);
