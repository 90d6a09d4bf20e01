/**
 * Go programs of our own test modules (test/go/<module>/cmd/<name>, or a package of a module they pin, such as an
 * upstream plugin or KWOK: a `tool` the module declares, built from the module as published, no source copied),
 * built once into the cache and reused until their module or sources change. They share the Go module and build
 * caches test/provision/kube.sh uses.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { progress } from "./progress.js";
import { repoRoot } from "./run-dir.js";

const cache = process.env.CLUSTERSET_CACHE ?? path.join(homedir(), ".cache", "clusterset-apiserver");

/** Every file of the module that can change the binary, hashed: go.mod, go.sum and the .go sources. */
function moduleHash(dir: string): string {
  const h = createHash("sha256");
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.go$|^go\.(mod|sum)$/.test(name)) h.update(path.relative(dir, p)).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest("hex").slice(0, 16);
}

const goEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  GOMODCACHE: path.join(cache, "go", "mod"),
  GOCACHE: path.join(cache, "go", "build"),
  CGO_ENABLED: "0",
  GOFLAGS: "-mod=readonly",
  PATH: `/usr/local/go/bin:${process.env.PATH ?? ""}`,
});

function run(dir: string, args: string[], stdout: "inherit" | "pipe"): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("go", args, { cwd: dir, env: goEnv(), stdio: ["ignore", stdout, "inherit"] });
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`go ${args.join(" ")} in ${path.relative(repoRoot, dir)} failed (${code})`))));
  });
}

/** Where a module a test module requires lies in the shared module cache (downloaded first if missing). */
export async function goModuleDir(module: string, required: string): Promise<string> {
  const out = await run(path.join(repoRoot, "test", "go", module), ["mod", "download", "-json", required], "pipe");
  const dir = (JSON.parse(out) as { Dir?: string }).Dir;
  if (!dir || !existsSync(dir)) throw new Error(`go mod download ${required} (test/go/${module}) gave no directory`);
  return dir;
}

const built = new Map<string, Promise<string>>();

/** The upstream exec plugin consumers name in their provider file, from the cluster-inventory-api test/go/access pins. */
export const KUBECONFIG_SECRETREADER = "sigs.k8s.io/cluster-inventory-api/plugins/kubeconfig-secretreader/cmd/plugin";
/** helm, pinned in test/go/helm, for the chart's checks. */
export const HELM = "helm.sh/helm/v4/cmd/helm";

/** KWOK's controller, from the release test/go/kwok pins (members' fake Nodes, kwok.ts). */
export const KWOK = "sigs.k8s.io/kwok/cmd/kwok";

/**
 * The path of test/go/<module>/cmd/<name> (or of `pkg`, built in that module: a `tool` it declares), built first
 * if the cache has no build of these sources.
 */
export function goTool(module: string, name: string, pkg = `./cmd/${name}`): Promise<string> {
  const key = `${module}/${name}`;
  let p = built.get(key);
  if (!p) {
    p = build(module, name, pkg);
    built.set(key, p);
  }
  return p;
}

async function build(module: string, name: string, pkg: string): Promise<string> {
  const dir = path.join(repoRoot, "test", "go", module);
  const out = path.join(cache, "go-tools", `${module}-${moduleHash(dir)}`, name);
  if (existsSync(out)) return out;
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp.${process.pid}`;
  const t0 = Date.now();
  progress(`building ${pkg} in test/go/${module} (a first build compiles client-go or controller-runtime: minutes)`);
  const ticker = setInterval(() => progress(`  still building ${name} (${Math.round((Date.now() - t0) / 1000)} s)`), 30_000);
  try {
    await run(dir, ["build", "-trimpath", "-o", tmp, pkg], "inherit");
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    clearInterval(ticker);
  }
  progress(`built ${name} in ${Math.round((Date.now() - t0) / 1000)} s: ${out}`);
  return out;
}

/** Every Go test program the e2e suites run; `tsx test/harness/go-tools.ts` builds them all (test/run-all.sh). */
export const GO_TOOLS: ReadonlyArray<readonly [module: string, name: string, pkg?: string]> = [
  ["clients", "informer"],
  ["access", "consumer"],
  ["access", "kubeconfig-secretreader", KUBECONFIG_SECRETREADER],
  ["controllers", "placer"],
  ["controllers", "statuswriter"],
  ["helm", "helm", HELM],
  ["kwok", "kwok", KWOK],
];

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  for (const [module, name, pkg] of GO_TOOLS) console.log(`${name}=${await goTool(module, name, pkg)}`);
}
