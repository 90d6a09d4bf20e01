/**
 * The real binaries the harness runs. `test/provision/kube.sh` finds or builds kube-apiserver,
 * kube-controller-manager, kube-scheduler and kubectl (the release pinned in test/go/kube) and etcd (the
 * release that Kubernetes release requires, test/go/etcd); it runs once per process, its progress (stderr)
 * shown as it happens since a first build takes many minutes. $KUBECTL, when set, replaces the built kubectl.
 *
 * Run directly (`tsx test/harness/binaries.ts`) to provision everything and print the paths.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { progress } from "./progress.js";
import { repoRoot } from "./run-dir.js";

export interface Binaries {
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  etcd: string;
  kubectl: string;
}


/**
 * The Go module that pins the hub's release: test/go/kube, or test/go/kube-<major.minor> when KUBE_VERSION names
 * an older hub (`npm run test:compat`); test/provision/kube.sh makes the same choice.
 */
export const kubeModule: string = process.env.KUBE_VERSION
  ? `kube-${process.env.KUBE_VERSION.replace(/^v/, "").split(".").slice(0, 2).join(".")}`
  : "kube";

/** The Kubernetes release the harness runs, as its /version says it (e.g. "v1.37.2"): the one kubeModule pins. */
export const kubeVersion: string = (() => {
  const mod = readFileSync(path.join(repoRoot, "test", "go", kubeModule, "go.mod"), "utf8");
  const m = /^require k8s\.io\/kubernetes (v\S+)/m.exec(mod);
  if (!m) throw new Error(`test/go/${kubeModule}/go.mod does not require k8s.io/kubernetes`);
  return m[1]!;
})();

let memo: Promise<Binaries> | undefined;

/** Provisions (once per process) and returns the binaries' paths. */
export function binaries(): Promise<Binaries> {
  memo ??= provision().catch((e: unknown) => {
    memo = undefined; // let a later call retry
    throw e;
  });
  return memo;
}

async function provision(): Promise<Binaries> {
  const paths = await runKubeSh();
  const need = (key: string): string => {
    const p = paths.get(key);
    if (!p || !existsSync(p)) throw new Error(`test/provision/kube.sh did not report a usable ${key} (got ${p ?? "nothing"})`);
    return p;
  };
  return {
    kubeApiserver: need("kube-apiserver"),
    kubeControllerManager: need("kube-controller-manager"),
    kubeScheduler: need("kube-scheduler"),
    etcd: need("etcd"),
    kubectl: kubectl(need("kubectl")),
  };
}

function runKubeSh(): Promise<Map<string, string>> {
  const script = path.join(repoRoot, "test", "provision", "kube.sh");
  return new Promise((resolve, reject) => {
    // stderr is inherited: the provisioning progress reaches the user as it happens.
    const child = spawn("bash", [script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.once("error", reject);
    // "close", not "exit": the exit can come before the last of stdout has been read.
    child.once("close", (code) => {
      if (code !== 0) return reject(new Error(`${script} failed with code ${code} (its output is above)`));
      const paths = new Map<string, string>();
      for (const line of out.split("\n")) {
        const eq = line.indexOf("=");
        if (eq > 0) paths.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
      }
      resolve(paths);
    });
  });
}

function kubectl(built: string): string {
  const fromEnv = process.env.KUBECTL;
  if (!fromEnv) return built;
  if (!existsSync(fromEnv)) throw new Error(`KUBECTL=${fromEnv} does not exist`);
  return fromEnv;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const b = await binaries();
  for (const [k, v] of Object.entries(b)) console.log(`${k}=${v}`);
}
