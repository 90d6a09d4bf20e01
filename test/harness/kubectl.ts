/** Runs kubectl against one cluster, with its own discovery cache (ports are reused across runs). */
import { spawn } from "node:child_process";

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (for `apply -f -`). */
  input?: string;
  /** Kill kubectl after this long; 60 s by default. */
  timeoutMs?: number;
  /** Throw (with stderr) unless kubectl exits 0. */
  check?: boolean;
  /** Extra environment, e.g. { KUBECONFIG } is not needed: --kubeconfig is always passed. */
  env?: NodeJS.ProcessEnv;
}

export interface KubectlTarget {
  kubectlPath: string;
  kubeconfigPath: string;
  /** Per-cluster discovery cache: a stale cache from an earlier run on the same port would lie. */
  cacheDir: string;
}

export function runKubectl(target: KubectlTarget, args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  const fullArgs = ["--kubeconfig", target.kubeconfigPath, "--cache-dir", target.cacheDir, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(target.kubectlPath, fullArgs, {
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const result = { stdout, stderr, code: code ?? (signal ? 128 : 1) };
      if (signal === "SIGKILL") result.stderr += `\n(kubectl killed after ${timeoutMs} ms)`;
      if (opts.check && result.code !== 0) {
        reject(new Error(`kubectl ${args.join(" ")} failed (${result.code}): ${result.stderr.trim() || result.stdout.trim()}`));
      } else resolve(result);
    });
    child.stdin.on("error", () => {}); // kubectl may exit before reading all input; its exit code tells
    child.stdin.end(opts.input ?? "");
  });
}
