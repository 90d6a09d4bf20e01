/**
 * A member's kubeconfig (bytes from a hub Secret) → a client-node KubeConfig holding only what we use: the
 * current context, its cluster and its user. Anyone who can write a Secret in a watched namespace controls these
 * bytes, so we refuse whatever would make this server run a command (exec, auth-provider plugins) or read its
 * own disk (certificate/key/token file paths, which would send local files to a server of the writer's
 * choosing). Errors say what is wrong and never quote the content: a kubeconfig is full of credentials.
 */
import * as k8s from "@kubernetes/client-node";
import { parseDocument } from "yaml";
import { isPlainObject } from "../lib/objects.js";

export class KubeconfigError extends Error {
  override name = "KubeconfigError";
}

/** A member's access: the KubeConfig carries credentials and must never be logged; the rest is not secret. */
export interface MemberAccess {
  kc: k8s.KubeConfig;
  context: string;
  /** Server URL without a trailing slash. */
  server: string;
  /** certificate-authority-data as the kubeconfig has it (base64 PEM). */
  caData?: string;
  tlsServerName?: string;
  insecureSkipTLSVerify: boolean;
  proxyUrl?: string;
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const fail = (msg: string): never => {
  throw new KubeconfigError(msg);
};

const FLATTEN = "inline it (kubectl config view --flatten --minify, or `clusterset-apiserver join`)";

function named(list: unknown, what: string, name: string): Obj | undefined {
  if (list !== undefined && !Array.isArray(list)) fail(`the kubeconfig's ${what} is not a list`);
  const entry = (list as unknown[] | undefined)?.find((e) => isPlainObject(e) && e.name === name);
  return entry as Obj | undefined;
}

/** base64 that decodes to PEM containing `marker`; the message names the field, never the value. */
function checkPem(value: unknown, field: string, marker: string): string {
  const s = typeof value === "string" ? value.trim() : "";
  const pem = /^[A-Za-z0-9+/=\s]+$/.test(s) ? Buffer.from(s, "base64").toString("latin1") : "";
  if (!pem.includes("-----BEGIN") || !pem.includes(marker)) fail(`${field} is not base64-encoded PEM (${marker.toLowerCase()})`);
  return s;
}

function parseYaml(text: string): Obj {
  if (text.trim() === "") fail("the kubeconfig is empty");
  const doc = parseDocument(text, { prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    // err.message quotes the offending line, which may hold a credential: report the position only.
    fail(`the kubeconfig is not valid YAML (${err.code}${pos ? ` at line ${pos.line}, column ${pos.col}` : ""})`);
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 50 });
  } catch {
    fail("the kubeconfig is not valid YAML (too many aliases)");
  }
  if (!isPlainObject(root)) fail("the kubeconfig is not a YAML mapping with clusters, contexts and users");
  return root as Obj;
}

function checkUser(userName: string, user: Obj): { token?: string; certData?: string; keyData?: string } {
  const where = `user "${userName}"`;
  if (user.exec !== undefined)
    fail(`${where} uses an exec credential plugin (user.exec); clusterset-apiserver does not run commands named in a Secret: put a token or client-certificate-data/client-key-data in the kubeconfig instead`);
  if (user["auth-provider"] !== undefined)
    fail(`${where} uses an auth-provider plugin (user.auth-provider); clusterset-apiserver does not run credential plugins: put a token or client-certificate-data/client-key-data in the kubeconfig instead`);
  for (const f of ["client-certificate", "client-key", "tokenFile", "token-file"]) {
    if (user[f] !== undefined) fail(`${where} refers to a file (${f}); files are not read from the server's disk: ${FLATTEN}`);
  }
  if (user.username !== undefined || user.password !== undefined)
    fail(`${where} uses basic authentication (username/password), which the kubeconfig-secretreader plugin does not support: use a token or a client certificate`);
  for (const f of ["as", "as-groups", "as-uid", "as-user-extra"]) {
    if (user[f] !== undefined) fail(`${where} impersonates (${f}); consumers reading this Secret would not: use the identity's own credentials`);
  }
  const token = typeof user.token === "string" ? user.token.trim() : undefined;
  const cert = user["client-certificate-data"];
  const key = user["client-key-data"];
  if ((cert === undefined) !== (key === undefined)) fail(`${where} has ${cert === undefined ? "client-key-data without client-certificate-data" : "client-certificate-data without client-key-data"}`);
  const out: { token?: string; certData?: string; keyData?: string } = {};
  if (cert !== undefined) {
    out.certData = checkPem(cert, `${where} client-certificate-data`, "CERTIFICATE");
    out.keyData = checkPem(key, `${where} client-key-data`, "PRIVATE KEY");
  }
  if (token) out.token = token;
  if (!out.token && !out.certData) fail(`${where} has no credentials: give a token or client-certificate-data and client-key-data`);
  return out;
}

function checkServer(server: unknown, clusterName: string, skipTLS: boolean): string {
  const where = `cluster "${clusterName}"`;
  const s = str(server) ?? fail(`${where} has no server`);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return fail(`${where} server is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") fail(`${where} server must be https:// (got ${url.protocol})`);
  if (url.username || url.password) fail(`${where} server URL carries credentials; put them in the user entry`);
  if (url.protocol === "http:" && !skipTLS) fail(`${where} server is plain http://, which needs insecure-skip-tls-verify: true`);
  return s.replace(/\/+$/, "");
}

/** Parses and checks a member kubeconfig; throws KubeconfigError with a message safe to log and to show. */
export function loadMemberKubeconfig(bytes: Buffer | Uint8Array | string): MemberAccess {
  const root = parseYaml(typeof bytes === "string" ? bytes : Buffer.from(bytes).toString("utf8"));
  const contextName = str(root["current-context"]) ?? fail("the kubeconfig has no current-context (set one with kubectl config use-context)");
  const ctxEntry = named(root.contexts, "contexts", contextName);
  const ctx = isPlainObject(ctxEntry?.context) ? ctxEntry.context : fail(`current-context "${contextName}" is not among the kubeconfig's contexts`);
  const clusterName = str(ctx.cluster) ?? fail(`context "${contextName}" names no cluster`);
  const clusterEntry = named(root.clusters, "clusters", clusterName);
  const cluster = isPlainObject(clusterEntry?.cluster) ? clusterEntry.cluster : fail(`context "${contextName}" names cluster "${clusterName}", which the kubeconfig does not define`);
  const userName = str(ctx.user) ?? fail(`context "${contextName}" names no user`);
  const userEntry = named(root.users, "users", userName);
  const user = isPlainObject(userEntry?.user) ? userEntry.user : fail(`context "${contextName}" names user "${userName}", which the kubeconfig does not define`);

  const skipTLS = cluster["insecure-skip-tls-verify"] === true;
  const server = checkServer(cluster.server, clusterName, skipTLS);
  if (cluster["certificate-authority"] !== undefined)
    fail(`cluster "${clusterName}" refers to a file (certificate-authority); files are not read from the server's disk: ${FLATTEN}`);
  const caData = cluster["certificate-authority-data"] === undefined ? undefined : checkPem(cluster["certificate-authority-data"], `cluster "${clusterName}" certificate-authority-data`, "CERTIFICATE");
  const tlsServerName = str(cluster["tls-server-name"]);
  const proxyUrl = str(cluster["proxy-url"]);
  const creds = checkUser(userName, user);

  // Only the three entries we use reach client-node: nothing else in the file is ever interpreted.
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: clusterName, server, skipTLSVerify: skipTLS, ...(caData ? { caData } : {}), ...(tlsServerName ? { tlsServerName } : {}), ...(proxyUrl ? { proxyUrl } : {}) }],
    users: [{ name: userName, ...creds }],
    contexts: [{ name: contextName, cluster: clusterName, user: userName }],
    currentContext: contextName,
  });
  return { kc, context: contextName, server, ...(caData ? { caData } : {}), ...(tlsServerName ? { tlsServerName } : {}), insecureSkipTLSVerify: skipTLS, ...(proxyUrl ? { proxyUrl } : {}) };
}
