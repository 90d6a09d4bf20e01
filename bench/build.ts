/**
 * Compiles the server (tsconfig.build.json, as `npm run build` does) into bench/.dist, so the bench measures
 * the JavaScript production runs rather than main.ts transpiled by tsx at load (which costs memory). tsc
 * emits even when the tree has type errors (other work in progress): those are returned, not thrown.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../test/harness/index.js";

const run = promisify(execFile);

export const BUILD_DIR = path.join(repoRoot, "bench", ".dist");

export interface Built {
  entry: string;
  /** The compiled tree has no resources/crds beside it: the server is told where they are. */
  env: NodeJS.ProcessEnv;
  /** tsc's complaints, if any (the output is still used). */
  typeErrors: string;
}

export async function buildServer(): Promise<Built> {
  const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  let typeErrors = "";
  try {
    await run(process.execPath, [tsc, "-p", path.join(repoRoot, "tsconfig.build.json"), "--outDir", BUILD_DIR], { cwd: repoRoot, maxBuffer: 16 << 20 });
  } catch (e) {
    typeErrors = ((e as { stdout?: string }).stdout ?? (e as Error).message).trim();
  }
  const entry = path.join(BUILD_DIR, "main.js");
  if (!existsSync(entry)) throw new Error(`tsc produced no ${entry}: ${typeErrors}`);
  return { entry, env: { ...process.env, CLUSTERSET_CRDS_DIR: path.join(repoRoot, "resources", "crds") }, typeErrors };
}

/**
 * bench/floor-server.ts as plain JavaScript (bench/.dist/floor-server.js), so the floor runs as `node …` with
 * no tsx loader in its process: typescript's transpileModule, types erased, nothing else changed.
 */
export async function buildFloor(): Promise<string> {
  const ts = (await import("typescript")).default;
  const src = path.join(repoRoot, "bench", "floor-server.ts");
  const out = path.join(BUILD_DIR, "floor-server.js");
  const { outputText } = ts.transpileModule(readFileSync(src, "utf8"), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: src,
  });
  mkdirSync(BUILD_DIR, { recursive: true });
  writeFileSync(out, outputText);
  return out;
}
