/**
 * The real binaries the harness runs. `test/provision/kube.sh` finds or builds kube-apiserver and
 * kube-controller-manager v1.20.2 and etcd; it runs once per process, its progress (stderr) shown as it
 * happens since a first build takes minutes. kubectl (a recent one: `create token`, server-side apply) comes
 * from $KUBECTL or the PATH.
 *
 * Run directly (`tsx test/harness/binaries.ts`) to provision everything and print the paths.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { progress } from "./progress.js";
import { repoRoot } from "./run-dir.js";

export interface Binaries {
  kubeApiserver: string;
  kubeControllerManager: string;
  etcd: string;
  kubectl: string;
}


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
    etcd: need("etcd"),
    kubectl: await kubectl(),
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
    child.once("exit", (code) => {
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

function onPath(name: string): string | undefined {
  const r = spawnSync("bash", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

async function kubectl(): Promise<string> {
  const fromEnv = process.env.KUBECTL;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`KUBECTL=${fromEnv} does not exist`);
    return fromEnv;
  }
  const found = onPath("kubectl");
  if (found) return found;
  // Nothing is downloaded: the machine's kubectl package is the client the tests are meant to use.
  throw new Error("no kubectl on PATH: install the machine's kubectl package or set KUBECTL to a kubectl binary");
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const b = await binaries();
  for (const [k, v] of Object.entries(b)) console.log(`${k}=${v}`);
}
