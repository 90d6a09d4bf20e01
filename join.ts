/**
 * `clusterset-apiserver join --context CTX --namespace NS [--name N]`: writes the hub Secret that makes a cluster
 * a member — its kubeconfig context, flattened — so the server picks it up (docs/design.md "Joining a member").
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { ConfigError } from "./config.js";
import { FlattenError, flattenContext } from "./members/flatten.js";
import { CLUSTER_NAME_LABEL, DISPLAY_NAME_ANNOTATION, KUBECONFIG_SECRET_TYPE, profileNameProblem } from "./members/secrets.js";

export const joinUsage = `Usage: clusterset-apiserver join --context CTX --namespace NS [flags]

Writes a hub Secret (type ${KUBECONFIG_SECRET_TYPE}) holding context CTX of your kubeconfig, flattened, so the
cluster joins the hub's ClusterSet as ClusterProfile NS/<name>.

Flags:
  --context string         the member's kubeconfig context (required)
  --namespace string       hub namespace of the Secret and the ClusterProfile (required)
  --name string            the ClusterProfile's name (default: the context's name)
  --display-name string    the profile's display name
  --kubeconfig string      kubeconfig holding --context (default $KUBECONFIG, else ~/.kube/config)
  --hub-kubeconfig string  kubeconfig of the hub (default: --kubeconfig)
  --hub-context string     the hub's context (default: that kubeconfig's current context)
`;

const defaultKubeconfig = () => process.env.KUBECONFIG?.split(path.delimiter)[0] || path.join(homedir(), ".kube", "config");

export async function join(argv: string[]): Promise<string> {
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({
      args: argv,
      strict: true,
      options: {
        context: { type: "string" },
        namespace: { type: "string" },
        name: { type: "string" },
        "display-name": { type: "string" },
        kubeconfig: { type: "string" },
        "hub-kubeconfig": { type: "string" },
        "hub-context": { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (e) {
    throw new ConfigError(`${(e as Error).message.replace(/\. To specify.*$/s, "")}\nRun 'clusterset-apiserver join --help' for the flags.`);
  }
  if (v.help) return joinUsage;
  const context = v.context as string | undefined;
  const namespace = v.namespace as string | undefined;
  if (!context) throw new ConfigError("--context is required: the kubeconfig context of the cluster that joins");
  if (!namespace) throw new ConfigError("--namespace is required: the hub namespace of the member's Secret and ClusterProfile");
  const name = (v.name as string | undefined) ?? context;
  const problem = profileNameProblem(name);
  if (problem) throw new ConfigError(`cannot name the profile ${JSON.stringify(name)}: ${problem}${v.name ? "" : " (give --name)"}`);

  const file = (v.kubeconfig as string | undefined) ?? defaultKubeconfig();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read kubeconfig ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let flat: string;
  try {
    flat = flattenContext(text, file, context);
  } catch (e) {
    if (e instanceof FlattenError) throw new ConfigError(e.message);
    throw e;
  }

  const hub = new k8s.KubeConfig();
  hub.loadFromFile((v["hub-kubeconfig"] as string | undefined) ?? file);
  if (v["hub-context"]) hub.setCurrentContext(v["hub-context"] as string);
  const core = hub.makeApiClient(k8s.CoreV1Api);
  const secret: k8s.V1Secret = {
    apiVersion: "v1",
    kind: "Secret",
    type: KUBECONFIG_SECRET_TYPE,
    metadata: {
      name,
      namespace,
      labels: { [CLUSTER_NAME_LABEL]: name },
      ...(v["display-name"] ? { annotations: { [DISPLAY_NAME_ANNOTATION]: v["display-name"] as string } } : {}),
    },
    data: { kubeconfig: Buffer.from(flat).toString("base64") },
  };
  try {
    await core.createNamespacedSecret({ namespace, body: secret });
    return `secret ${namespace}/${name} created: cluster ${JSON.stringify(context)} joins as ClusterProfile ${namespace}/${name}\n`;
  } catch (e) {
    if ((e as { code?: number }).code !== 409) throw new ConfigError(`cannot write Secret ${namespace}/${name} on the hub ${hub.getCurrentCluster()?.server ?? ""}: ${(e as Error).message.split("\n")[0]}`);
  }
  await core.replaceNamespacedSecret({ name, namespace, body: secret });
  return `secret ${namespace}/${name} updated: cluster ${JSON.stringify(context)} joins as ClusterProfile ${namespace}/${name}\n`;
}
