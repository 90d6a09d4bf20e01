/**
 * NamespaceLifecycle admission, as kube-apiserver applies it to custom resources: nothing is created in a
 * namespace that does not exist (404 for the namespace) or is being deleted (403), so the hub's namespace
 * controller can finish deleting what is in it.
 */
import { forbidden, notFound, qualified, type GroupResource } from "./errors.js";

export type NamespacePhase = (namespace: string) => Promise<"Active" | "Terminating" | undefined>;

export function namespaceAdmission(phase: NamespacePhase, gr: GroupResource): (namespace: string, name: string) => Promise<void> {
  return async (namespace, name) => {
    const p = await phase(namespace);
    if (p === undefined) throw notFound({ group: "", resource: "namespaces" }, namespace);
    if (p === "Terminating") {
      throw forbidden(`${qualified(gr)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, gr, name);
    }
  };
}
