/**
 * `clusterset-apiserver join`: one context of a kubeconfig, flattened as the join Secret must hold it —
 * certificates and keys inline, no file paths, no exec or auth-provider plugins (the upstream
 * kubeconfig-secretreader plugin and our member view both refuse those).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { isPlainObject } from "../lib/objects.js";

export class FlattenError extends Error {
  override name = "FlattenError";
}

type Obj = Record<string, unknown>;

function named(doc: Obj, list: string, name: string): Obj {
  const entries = Array.isArray(doc[list]) ? (doc[list] as unknown[]) : [];
  const found = entries.find((e) => isPlainObject(e) && e.name === name);
  if (!isPlainObject(found)) throw new FlattenError(`the kubeconfig has no ${list.replace(/s$/, "")} named ${JSON.stringify(name)}`);
  return found;
}

/** Moves `fileKey` (a path, relative to the kubeconfig's directory) into `dataKey` as base64. */
function inline(section: Obj, fileKey: string, dataKey: string, baseDir: string, asText = false): void {
  const file = section[fileKey];
  if (typeof file !== "string" || file === "") return;
  delete section[fileKey];
  if (section[dataKey] !== undefined) return;
  const full = path.isAbsolute(file) ? file : path.join(baseDir, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch (e) {
    throw new FlattenError(`cannot read ${fileKey} ${full}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  section[dataKey] = asText ? bytes.toString("utf8").trim() : bytes.toString("base64");
}

/**
 * The flattened kubeconfig (YAML) for `context` of the kubeconfig text read from `file`. Throws FlattenError
 * with a message fit for the command line; never quotes credentials.
 */
export function flattenContext(text: string, file: string, context: string): string {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new FlattenError(`${file} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!isPlainObject(doc)) throw new FlattenError(`${file} is not a kubeconfig`);
  const ctx = named(doc, "contexts", context).context;
  if (!isPlainObject(ctx) || typeof ctx.cluster !== "string" || typeof ctx.user !== "string") throw new FlattenError(`context ${JSON.stringify(context)} names no cluster or no user`);
  const baseDir = path.dirname(path.resolve(file));
  const cluster = structuredClone(named(doc, "clusters", ctx.cluster).cluster) as Obj;
  const user = structuredClone(named(doc, "users", ctx.user).user ?? {}) as Obj;
  if (!isPlainObject(cluster) || typeof cluster.server !== "string") throw new FlattenError(`cluster ${JSON.stringify(ctx.cluster)} has no server`);
  if (user.exec !== undefined) throw new FlattenError(`user ${JSON.stringify(ctx.user)} authenticates with an exec plugin, which a join Secret cannot carry; use a certificate or a token (e.g. a ServiceAccount token) instead`);
  if (user["auth-provider"] !== undefined) throw new FlattenError(`user ${JSON.stringify(ctx.user)} uses an auth-provider plugin, which a join Secret cannot carry; use a certificate or a token instead`);
  inline(cluster, "certificate-authority", "certificate-authority-data", baseDir);
  inline(user, "client-certificate", "client-certificate-data", baseDir);
  inline(user, "client-key", "client-key-data", baseDir);
  inline(user, "tokenFile", "token", baseDir, true);
  const userName = ctx.user;
  const clusterName = ctx.cluster;
  const flat = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster }],
    users: [{ name: userName, user }],
    contexts: [{ name: context, context: { cluster: clusterName, user: userName, ...(typeof ctx.namespace === "string" ? { namespace: ctx.namespace } : {}) } }],
    "current-context": context,
  };
  return stringify(flat);
}
