/**
 * `npx tsx bench/run.ts [--quick] [--with-etcd] …` (`npm run bench` runs it without flags, then
 * bench/federation.ts): our server through the hub (A) side by side with a plain
 * kube-apiserver + the upstream ClusterProfile CRD (B) and, in the LIST and watch workloads, the floor (a bare
 * node:http2 server handing out A's captured bytes through its own hub), alternating A B Floor … in every
 * workload, then
 * bench/RESULTS.md (bench/RESULTS-quick.md with --quick) and the raw numbers as JSON beside it.
 * See /work/shared/BENCH.md for the method and the goals; bench/README.md for the flags.
 */
import { execFileSync } from "node:child_process";
import { cpus, release } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../test/harness/index.js";
import { closeSession, connect } from "./client.js";
import { buildFloor, buildServer, type Built } from "./build.js";
import { captureForFloor, checkFloor } from "./floor.js";
import { writeReport } from "./report.js";
import type { Machine, Options, Results } from "./results.js";
import { kubeVersion, startCrdApiserver, startFloor, startOurs, type Target } from "./targets.js";
import { WRITES_NAMESPACE } from "./fixtures.js";
import { createAndStatus } from "./workloads/create.js";
import { countItems, listRound, type ListKind } from "./workloads/list.js";
import { sampleRss } from "./workloads/rss.js";
import { freshMemoryRound, watchRound } from "./workloads/watch.js";

const t0 = Date.now();
const say = (msg: string) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      "with-etcd": { type: "boolean", default: false },
      profiles: { type: "string" },
      rounds: { type: "string" },
      concurrency: { type: "string" },
      "list-reps": { type: "string" },
      watchers: { type: "string" },
      "watch-events": { type: "string" },
      "write-diag-objects": { type: "string" },
      "streams-per-session": { type: "string" },
      out: { type: "string" },
      "server-entry": { type: "string", default: "built" },
      workloads: { type: "string", default: "list,watch,writes" },
      "without-direct": { type: "boolean", default: false },
      "without-floor": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(readFileSync(path.join(repoRoot, "bench", "README.md"), "utf8"));
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const int = (name: string, v: string | undefined, dflt: number, minimum = 1): number => {
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v) || Number(v) < minimum) throw new Error(`--${name} must be an integer ≥ ${minimum} (got ${JSON.stringify(v)})`);
    return Number(v);
  };
  const watchers = (values.watchers ?? (quick ? "300" : "2000,5000"))
    .split(",")
    .filter((x) => x !== "")
    .map((x) => int("watchers", x, 0));
  const serverEntry = values["server-entry"];
  if (serverEntry !== "built" && serverEntry !== "source") throw new Error(`--server-entry must be built or source (got ${JSON.stringify(serverEntry)})`);
  const workloads = (values.workloads ?? "").split(",").filter((w) => w !== "");
  for (const w of workloads) if (w !== "list" && w !== "watch" && w !== "writes") throw new Error(`--workloads takes list, watch, writes (the load always runs); got ${JSON.stringify(w)}`);
  return {
    quick,
    serverEntry,
    workloads: workloads as Options["workloads"],
    profiles: int("profiles", values.profiles, quick ? 1_500 : 10_000),
    rounds: int("rounds", values.rounds, 3),
    concurrency: int("concurrency", values.concurrency, 32),
    listReps: int("list-reps", values["list-reps"], quick ? 3 : 5),
    pageLimit: 500,
    watchers,
    watchEvents: int("watch-events", values["watch-events"], quick ? 3 : 5),
    writeDiagObjects: int("write-diag-objects", values["write-diag-objects"], quick ? 500 : 2_000),
    streamsPerSession: int("streams-per-session", values["streams-per-session"], 200),
    withEtcd: values["with-etcd"] ?? false,
    direct: !(values["without-direct"] ?? false),
    // The floor only serves the LIST and watch workloads.
    floor: !(values["without-floor"] ?? false) && workloads.some((w) => w === "list" || w === "watch"),
    out: values.out ?? path.join(repoRoot, "bench", quick ? "RESULTS-quick.md" : "RESULTS.md"),
  };
}

/** HEAD and the number of uncommitted changes outside bench/: other work lands while a bench runs. */
function tree(): { commit: string; changedFiles: number } {
  const git = (args: string[]) => execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim();
  try {
    const commit = git(["log", "-1", "--format=%h %s"]);
    const changedFiles = git(["status", "--porcelain"]).split("\n").filter((l) => l && !/^.. bench\//.test(l)).length;
    return { commit, changedFiles };
  } catch {
    return { commit: "unknown (no git)", changedFiles: 0 };
  }
}

function machine(kube: string): Machine {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const meminfo = readFileSync("/proc/meminfo", "utf8");
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  return {
    nproc: cpus().length,
    memTotal: `${(memKb / 1024 / 1024).toFixed(1)} GiB`,
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    node: process.version,
    kube,
    kernel: release(),
  };
}

/** Starts every target, in parallel; if one fails, stops those that started. */
async function startTargets(opts: Options, problems: string[]): Promise<Target[]> {
  let built: Built | undefined;
  if (opts.serverEntry === "built") {
    say("compiling the server (tsconfig.build.json) into bench/.dist");
    built = await buildServer();
    if (built.typeErrors) problems.push(`the tree had type errors when compiled (tsc emitted anyway; the run used that output): ${built.typeErrors.split("\n").slice(0, 5).join(" / ")}`);
  }
  const floorEntry = opts.floor ? await buildFloor() : undefined;
  const ours = (storage: "level" | "etcd") => startOurs({ storage, ...(built ? { entry: built.entry, env: built.env } : {}) });
  const none = Promise.resolve(undefined);
  const settled = await Promise.allSettled([ours("level"), startCrdApiserver(), opts.withEtcd ? ours("etcd") : none, floorEntry ? startFloor(floorEntry) : none]);
  const up = settled.flatMap((s) => (s.status === "fulfilled" && s.value ? [s.value] : []));
  const stops = up.map((x) => ("viaHub" in x ? x.viaHub : x));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.allSettled(stops.map((t) => t.stop()));
    throw failed.reason;
  }
  const [a, b, e, f] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    Awaited<ReturnType<typeof ours>>,
    Target,
    Awaited<ReturnType<typeof ours>> | undefined,
    Target | undefined,
  ];
  // Order of every round: A, B, the floor, then A-etcd, then the diagnostic A-direct.
  return [a.viaHub, b, ...(f ? [f] : []), ...(e ? [e.viaHub] : []), ...(opts.direct ? [a.direct] : [])];
}

async function main(): Promise<void> {
  const opts = options();
  // `npm run bench` runs this with no flags (and then bench/federation.ts); flags go to `npx tsx bench/run.ts`.
  const command = process.argv.length > 2 ? `npx tsx bench/run.ts ${process.argv.slice(2).join(" ")}` : "npm run bench (npx tsx bench/run.ts)";
  say(`${command}: ${opts.profiles} profiles, ${opts.rounds} rounds, watchers ${opts.watchers.join("/") || "none"}; starting A (our server behind a hub) and B (kube-apiserver + CRD)${opts.floor ? " and the floor (a bare node:http2 server behind a hub)" : ""}`);
  const problems: string[] = [];
  const code = tree();
  const targets = await startTargets(opts, problems);
  let stopping: Promise<unknown> | undefined;
  const stopAll = (keepLogs = false) => (stopping ??= Promise.allSettled(targets.map((t) => t.stop(keepLogs))));
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      say(`${sig}: stopping every process the bench started`);
      void stopAll().then(() => process.exit(130));
    });
  }

  const results: Results = {
    command,
    tree: code,
    startedAt: new Date(t0).toISOString(),
    finishedAt: "",
    durationS: 0,
    machine: machine(await kubeVersion(targets[1]!)),
    options: opts,
    targets: targets.map((t) => ({ key: t.key, title: t.title, mainName: t.mainName })),
    create: {},
    status: {},
    counts: {},
    list: {},
    rssEmpty: {},
    rssLoaded: {},
    watch: {},
    watchMemory: {},
    writeDiag: {},
    problems,
  };
  try {
    for (const t of targets) if (!t.sharesStoreWith) results.rssEmpty[t.key] = sampleRss(t.pids());
    await load(targets, opts, results);
    await loadFloor(targets, opts, results);
    // A workload that fails is written down and the next one still runs.
    const phases: Array<[string, () => Promise<void>]> = [
      ["list", () => lists(targets, opts, results)],
      ["watch", () => watches(targets, opts, results)],
      ["writes", () => writeDiagnostic(targets, opts, results)],
    ];
    for (const [name, phase] of phases) {
      if (!opts.workloads.includes(name as Options["workloads"][number])) continue;
      try {
        await phase();
      } catch (e) {
        results.problems.push(`the ${name} workload stopped early: ${(e as Error).message}`);
        say(`${name} FAILED: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    }
  } catch (e) {
    results.problems.push(`the run stopped early: ${(e as Error).stack ?? String(e)}`);
    say(`FAILED: ${(e as Error).message}`);
    process.exitCode = 1;
  } finally {
    const keep = results.problems.length > 0;
    say(`stopping every process the bench started${keep ? " (keeping their logs: there were problems)" : ""}`);
    await stopAll(keep);
  }
  results.finishedAt = new Date().toISOString();
  results.durationS = (Date.now() - t0) / 1000;
  writeFileSync(opts.out.replace(/\.md$/, ".json"), `${JSON.stringify(results, null, 1)}\n`);
  writeReport(results, opts.out);
  say(`wrote ${path.relative(process.cwd(), opts.out)} (${results.durationS.toFixed(0)} s in all)`);
}

/** Targets that hold data of their own: every one but A-direct (A's store) and the floor (A's captured bytes). */
const stores = (t: Target): boolean => !t.sharesStoreWith && !t.replays;

/**
 * The floor's bytes: captured from A through its hub after the load (before A's LIST rounds, which see the
 * same state), written to the floor, then checked through the floor's hub. A failure drops the floor from the
 * run (written down as a problem); A and B go on.
 */
async function loadFloor(targets: Target[], opts: Options, results: Results): Promise<void> {
  const floor = targets.find((t) => t.replays);
  if (!floor?.replays) return;
  try {
    const from = targets.find((t) => t.key === floor.replays!.from);
    if (!from) throw new Error(`no target ${floor.replays.from} to capture from`);
    const t0 = performance.now();
    const capture = await captureForFloor(from, opts.pageLimit);
    const loaded = await floor.replays.load(capture);
    const diffs = await checkFloor(floor, capture);
    say(`the floor ${loaded} (captured from ${from.key} and loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s)${diffs.length ? `; DIFFERS: ${diffs.join("; ")}` : "; through its hub it answers A's bytes"}`);
    results.problems.push(...diffs);
  } catch (e) {
    results.problems.push(`the floor could not be loaded, the run goes on without it: ${(e as Error).message}`);
    say(`the floor FAILED to load: ${(e as Error).message}`);
    targets.splice(targets.indexOf(floor), 1);
    results.targets = results.targets.filter((t) => t.key !== floor.key);
    delete results.rssEmpty[floor.key];
    await floor.stop(true);
  }
}

/** N profiles on every target, in `rounds` alternating batches: create throughput, then /status throughput. */
async function load(targets: Target[], opts: Options, results: Results): Promise<void> {
  const per = Math.ceil(opts.profiles / opts.rounds);
  for (let r = 0; r < opts.rounds; r++) {
    const indices = Array.from({ length: Math.min(per, opts.profiles - r * per) }, (_, i) => r * per + i);
    for (const t of targets.filter(stores)) {
      const { create, status } = await createAndStatus(t, indices, opts.concurrency);
      (results.create[t.key] ??= []).push(create);
      (results.status[t.key] ??= []).push(status);
      say(`load round ${r + 1}/${opts.rounds} ${t.key}: ${create.objects} creates ${create.perSec.toFixed(0)}/s (p99 ${create.p99ms.toFixed(0)} ms), status ${status.perSec.toFixed(0)}/s${create.errors + status.errors ? `, ERRORS ${create.errors}+${status.errors}: ${create.firstError ?? status.firstError}` : ""}`);
      if (create.errors + status.errors) results.problems.push(`${t.key} load round ${r + 1}: ${create.errors} create and ${status.errors} status errors; first: ${create.firstError ?? status.firstError}`);
    }
  }
  for (const t of targets.filter(stores)) {
    const s = await connect(t.endpoint);
    try {
      const c = await countItems(s);
      results.counts[t.key] = c;
      say(`${t.key} holds ${c.items} profiles (${c.withStatus} with status; managedFields ${c.managedFields ? "present" : "absent"})`);
      if (c.items !== opts.profiles || c.withStatus !== opts.profiles) results.problems.push(`${t.key} holds ${c.items} profiles, ${c.withStatus} with status (expected ${opts.profiles})`);
    } finally {
      await closeSession(s);
    }
  }
}

/**
 * Writes again, this time with the diagnostic A-direct in the rotation: `writeDiagObjects` more profiles per
 * round and target in another namespace (the store already holds the N of the load), to tell what the hub's
 * proxying costs a write from what our server costs it.
 */
async function writeDiagnostic(targets: Target[], opts: Options, results: Results): Promise<void> {
  const d = opts.writeDiagObjects;
  for (let r = 0; r < opts.rounds; r++) {
    for (const t of targets.filter((x) => !x.replays)) {
      // A and A-direct share a store: separate name ranges.
      const base = (t.sharesStoreWith ? 200_000 : 100_000) + r * d;
      const indices = Array.from({ length: d }, (_, i) => base + i);
      const w = await createAndStatus(t, indices, opts.concurrency, WRITES_NAMESPACE);
      (results.writeDiag[t.key] ??= []).push(w);
      say(`writes round ${r + 1}/${opts.rounds} ${t.key}: ${d} creates ${w.create.perSec.toFixed(0)}/s, status ${w.status.perSec.toFixed(0)}/s${w.create.errors + w.status.errors ? `, ERRORS: ${w.create.firstError ?? w.status.firstError}` : ""}`);
      if (w.create.errors + w.status.errors) results.problems.push(`${t.key} writes round ${r + 1}: ${w.create.errors} create and ${w.status.errors} status errors; first: ${w.create.firstError ?? w.status.firstError}`);
    }
  }
}

const LIST_KINDS: ListKind[] = ["full", "rv0", "table", "paged"];

async function lists(targets: Target[], opts: Options, results: Results): Promise<void> {
  for (let r = 0; r < opts.rounds; r++) {
    for (const t of targets) {
      const s = await connect(t.endpoint);
      try {
        for (const kind of LIST_KINDS) {
          const reps = kind === "full" ? opts.listReps : Math.max(2, opts.listReps - 2);
          const samples = await listRound(s, kind, reps, opts.pageLimit);
          ((results.list[kind] ??= {})[t.key] ??= []).push(samples);
          if (samples.errors) results.problems.push(`${t.key} LIST ${kind}, round ${r + 1}: ${samples.errors} failed request(s), retried; first: ${samples.firstError}`);
          say(`list round ${r + 1}/${opts.rounds} ${t.key} ${kind}: ${samples.ms.map((m) => m.toFixed(0)).join(", ")} ms, ${(samples.bytes / 1e6).toFixed(2)} MB${kind === "paged" ? ` in ${samples.pages} pages` : ""}${samples.errors ? `; ${samples.errors} FAILED and retried: ${samples.firstError}` : ""}`);
        }
      } finally {
        await closeSession(s);
      }
      if (!t.sharesStoreWith) (results.rssLoaded[t.key] ??= []).push(sampleRss(t.pids()));
    }
  }
}

async function watches(targets: Target[], opts: Options, results: Results): Promise<void> {
  for (const n of opts.watchers) {
    const byTarget = (results.watch[String(n)] = {} as Results["watch"][string]);
    const watchOpts = (tag: string) => ({ n, events: opts.watchEvents, streamsPerSession: opts.streamsPerSession, eventTimeoutMs: 30_000, openConcurrency: 64, tag });
    // A target whose round fails sits out the later rounds of this N; the others go on.
    const failed = new Set<string>();
    for (let r = 0; r < opts.rounds; r++) {
      for (const t of targets.filter((x) => !failed.has(x.key))) {
        try {
          const w = await watchRound(t, watchOpts(`n${n}-r${r}`));
          (byTarget[t.key] ??= []).push(w);
          say(`watch N=${n} round ${r + 1}/${opts.rounds} ${t.key}:${w.openErrors ? ` ${w.openErrors} opens FAILED and were retried (${w.firstOpenError});` : ""} opened in ${(w.openMs / 1000).toFixed(1)} s; p50 ${w.p50ms.toFixed(0)} ms, p99 ${w.p99ms.toFixed(0)} ms, missed ${w.missed}; ${(w.perWatchBytes / 1024).toFixed(1)} KiB/watch (${t.mainName})`);
          if (w.missed) results.problems.push(`watch N=${n} round ${r + 1} ${t.key}: ${w.missed} deliveries missed the 30 s deadline`);
          if (w.openErrors) results.problems.push(`watch N=${n} round ${r + 1} ${t.key}: ${w.openErrors} watch opens failed and were retried; first: ${w.firstOpenError}`);
        } catch (e) {
          failed.add(t.key);
          results.problems.push(`watch N=${n} round ${r + 1} ${t.key} failed, ${t.key}'s later rounds of N=${n} skipped: ${(e as Error).message}`);
          say(`watch N=${n} ${t.key} FAILED: ${(e as Error).message}`);
        }
      }
    }
    // Memory per watch on a fresh heap (our servers only; restarting B's kube-apiserver is not offered).
    // Below ~1,000 watches the growth is within the RSS noise (±10 MiB): not worth the restarts.
    if (n < 1_000) continue;
    const mem = (results.watchMemory[String(n)] = {} as Results["watchMemory"][string]);
    for (let r = 0; r < opts.rounds; r++) {
      for (const t of targets.filter((x) => x.restartMain && !failed.has(x.key))) {
        try {
          const w = await freshMemoryRound(t, watchOpts(`mem-n${n}-r${r}`));
          (mem[t.key] ??= []).push(w);
          say(`watch memory N=${n} round ${r + 1}/${opts.rounds} ${t.key} (restarted): ${(w.rssBefore.main / 1048576).toFixed(0)} → ${(w.rssOpen.main / 1048576).toFixed(0)} MiB, ${(w.perWatchBytes / 1024).toFixed(1)} KiB/watch`);
          if (w.openErrors) results.problems.push(`watch memory N=${n} round ${r + 1} ${t.key}: ${w.openErrors} watch opens failed and were retried; first: ${w.firstOpenError}`);
        } catch (e) {
          failed.add(t.key);
          results.problems.push(`watch memory N=${n} round ${r + 1} ${t.key} failed: ${(e as Error).message}`);
          say(`watch memory N=${n} ${t.key} FAILED: ${(e as Error).message}`);
        }
      }
    }
  }
}

await main();
