/** Runs kubectl against one cluster, with its own discovery cache (ports are reused across runs). */
import { runCommand, type CommandOptions, type CommandResult } from "./run-command.js";

export type KubectlResult = CommandResult;
/** `input` feeds `apply -f -`; no KUBECONFIG in `env` is needed: --kubeconfig is always passed. */
export type KubectlOptions = CommandOptions;

export interface KubectlTarget {
  kubectlPath: string;
  kubeconfigPath: string;
  /** Per-cluster discovery cache: a stale cache from an earlier run on the same port would lie. */
  cacheDir: string;
}

export function runKubectl(target: KubectlTarget, args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  return runCommand(target.kubectlPath, ["--kubeconfig", target.kubeconfigPath, "--cache-dir", target.cacheDir, ...args], opts);
}
