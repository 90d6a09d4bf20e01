/**
 * The layout as a test: the folders stand on floors (docs/layout.md), and an import that runs back up
 * fails here rather than in a reviewer's eye. It reads the import lines of every source file; nothing runs.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.dirname(fileURLToPath(import.meta.url));
const sourceFolders = ["api", "apiserver", "cli", "lib", "controllers", "kube", "leader", "members", "openapi", "resources", "storage"];

function tsFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}

/** Every relative import of a file, as a path from the repository root (".js" specifiers name ".ts" files). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)];
  return specs.map((m) => path.normalize(path.join(path.dirname(file), (m[1] ?? m[2])!)).replace(/\.js$/, ".ts"));
}

const files = sourceFolders.flatMap(tsFiles);
const edges = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })));
const top = (p: string) => p.split(path.sep)[0]!;
const isTest = (p: string) => p.endsWith(".test.ts");

/** The imports from folder `from` into any of `into`, as "a.ts -> b.ts" lines (empty when the rule holds). */
function crossing(from: string, into: string[], opts: { tests?: boolean } = {}): string[] {
  return edges.filter((e) => top(e.from) === from && into.includes(top(e.to)) && (opts.tests !== false || !isTest(e.from))).map((e) => `${e.from} -> ${e.to}`);
}

describe("layout", () => {
  it("finds the files it checks", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(crossing("resources", ["api"]).length).toBeGreaterThan(0);
  });

  it("resources/ and controllers/ never import each other", () => {
    expect(crossing("resources", ["controllers"])).toEqual([]);
    expect(crossing("controllers", ["resources"])).toEqual([]);
  });

  it("only server.ts starts the controllers (besides their own tests)", () => {
    const rootFiles = readdirSync(root).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    const fromRoot = rootFiles.flatMap((f) => importsOf(f).map((to) => ({ from: f, to })));
    const starters = [...edges, ...fromRoot].filter((e) => top(e.to) === "controllers" && top(e.from) !== "controllers").map((e) => e.from);
    expect([...new Set(starters)]).toEqual(["server.ts"]);
  });

  it("resources/ does not import leader/ (leading is the controllers' business)", () => {
    expect(crossing("resources", ["leader"])).toEqual([]);
  });

  it("api/ stands below resources/ and controllers/", () => {
    // Its tests may check computed objects against the served schema (resources/validation.ts).
    expect(crossing("api", ["resources", "controllers", "apiserver", "openapi", "leader"], { tests: false })).toEqual([]);
  });

  it("the floors below know nothing above them", () => {
    const above = ["api", "apiserver", "controllers", "openapi", "resources"];
    for (const floor of ["kube", "leader", "members", "storage"]) expect(crossing(floor, above), floor).toEqual([]);
    expect(crossing("apiserver", ["controllers", "leader", "members", "storage"])).toEqual([]);
  });

  it("cli/ (the kubectl plugin's parts) knows the API's names and nothing of the server", () => {
    expect(edges.filter((e) => top(e.from) === "cli" && !["cli", "api", "lib"].includes(top(e.to))).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it("lib/ imports nothing of the repository", () => {
    expect(edges.filter((e) => top(e.from) === "lib").map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it("no source file imports a root file but log.ts (server.ts alone wires the folders)", () => {
    expect(edges.filter((e) => !e.to.includes(path.sep) && e.to !== "log.ts" && !isTest(e.from)).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it("the build leaves out everything that imports vitest (tsconfig.build.json)", () => {
    const build = JSON.parse(readFileSync(path.join(root, "tsconfig.build.json"), "utf8")) as { exclude: string[] };
    const excluded = (f: string) => f.endsWith(".test.ts") || build.exclude.some((x) => f === x || f.startsWith(`${x}/`));
    const usesVitest = [...sourceFolders, "testing"].flatMap(tsFiles).filter((f) => /from\s*["']vitest["']/.test(readFileSync(path.join(root, f), "utf8")));
    expect(usesVitest.length).toBeGreaterThan(0);
    expect(usesVitest.filter((f) => !excluded(f))).toEqual([]);
  });

  it("no two files import each other", () => {
    const set = new Set(edges.map((e) => `${e.from} ${e.to}`));
    expect(edges.filter((e) => set.has(`${e.to} ${e.from}`)).map((e) => `${e.from} <-> ${e.to}`)).toEqual([]);
  });
});
