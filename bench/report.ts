/**
 * RESULTS.md from one run: machine, command, a summary table (medians over rounds, ratio to B and, for the LIST
 * and watch rows, A's ratio to the floor; the BENCH.md goals), per-round details, what went wrong. A hand-written section between `<!-- notes -->` and
 * `<!-- /notes -->` in the existing file is kept across runs.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Results } from "./results.js";
import { max, median, min } from "./stats.js";
import type { TargetKey } from "./targets.js";
import type { WriteRound } from "./workloads/create.js";
import type { ListKind } from "./workloads/list.js";
import type { RssSample } from "./workloads/rss.js";

const ms = (v: number): string => (Number.isNaN(v) ? "—" : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v).toLocaleString("en-US")} ms`);
const mb = (v: number): string => (Number.isNaN(v) ? "—" : `${(v / 1024 / 1024).toFixed(1)} MiB`);
const kb = (v: number): string => (Number.isNaN(v) ? "—" : `${(v / 1024).toFixed(1)} KiB`);
const rate = (v: number): string => (Number.isNaN(v) ? "—" : `${Math.round(v).toLocaleString("en-US")}/s`);
const ratio = (a: number, b: number): string => (Number.isNaN(a) || Number.isNaN(b) || b === 0 ? "—" : `${(a / b).toFixed(a / b < 0.1 ? 3 : 2)}×`);
const range = (xs: number[], f: (v: number) => string): string => (xs.length > 1 ? ` (${f(min(xs))}–${f(max(xs))})` : "");

/** A goal against B (`check`) and/or against the floor (`floor`): `ref` is B's or the floor's median. */
type Check = (a: number, ref: number) => boolean;
type Goal = { text: string; check?: Check; floor?: { text: string; check: Check } };

interface Row {
  workload: string;
  /** Per target: the per-round values whose median is quoted. */
  values: Partial<Record<TargetKey, number[]>>;
  fmt: (v: number) => string;
  /** Extra text after the median (e.g. bytes). */
  extra?: Partial<Record<TargetKey, string>>;
  goal: Goal;
  /** No A/B ratio (an absolute goal, or B's value says nothing); no A/Floor ratio either. */
  noRatio?: boolean;
}

export function writeReport(r: Results, out: string): void {
  const keys = r.targets.map((t) => t.key);
  const ours = keys.filter((k) => k !== "B" && k !== "Floor");
  /** A / Floor, when the floor ran. */
  const overFloor: TargetKey[] = keys.includes("Floor") && keys.includes("A") ? ["A"] : [];
  const titles: Record<TargetKey, string> = {
    A: "A: ours (level) via hub",
    B: "B: kube-apiserver + CRD",
    Floor: "Floor: bare node:http2, A's bytes, via hub",
    "A-etcd": "A/etcd: ours (etcd) via hub",
    "A-direct": "A direct: ours, no hub (diagnostic)",
  };
  const title = (k: TargetKey) => titles[k];
  const short: Record<TargetKey, string> = { A: "A", B: "B", Floor: "Floor", "A-etcd": "A/etcd", "A-direct": "A direct" };
  const n = r.options.profiles.toLocaleString("en-US");

  const listRounds = (kind: ListKind, k: TargetKey) => (r.list[kind]?.[k] ?? []).map((s) => median(s.ms));
  const listBytes = (kind: ListKind, k: TargetKey) => {
    const s = r.list[kind]?.[k]?.at(-1);
    return s ? `${(s.bytes / 1e6).toFixed(2)} MB${kind === "paged" ? `, ${s.pages} pages` : ""}` : "";
  };
  const writes = (w: Partial<Record<TargetKey, WriteRound[]>>, k: TargetKey) => (w[k] ?? []).map((x) => x.perSec);
  const watchRounds = (nw: number, k: TargetKey) => r.watch[String(nw)]?.[k] ?? [];
  const memRounds = (nw: number, k: TargetKey) => r.watchMemory[String(nw)]?.[k] ?? [];
  /** Ours: fresh-restart rounds when there are any; B and the floor (not restarted): their latency rounds. */
  const perWatch = (nw: number, k: TargetKey) => (memRounds(nw, k).length ? memRounds(nw, k) : k === "B" || k === "Floor" ? watchRounds(nw, k) : []).map((w) => w.perWatchBytes);
  const rssMain = (samples: RssSample[] | undefined) => (samples ?? []).map((s) => s.main);

  const lower = (limit: number): Goal => ({ text: `≤ ${limit}× B`, check: (a, b) => a / b <= limit });
  /** Also at most `limit` times the floor. */
  const andFloor = (g: Goal, limit: number): Goal => ({ ...g, floor: { text: `≤ ${limit}× Floor`, check: (a, f) => a / f <= limit } });
  const info: Goal = { text: "—" };
  const rows: Row[] = [];
  const perKey = (f: (k: TargetKey) => number[], only = keys) => Object.fromEntries(only.map((k) => [k, f(k)])) as Partial<Record<TargetKey, number[]>>;
  /** Rows about holding data: the floor holds A's bytes, not objects, and is left out. */
  const stored = keys.filter((k) => k !== "Floor");
  const extraKey = (f: (k: TargetKey) => string) => Object.fromEntries(keys.map((k) => [k, f(k)])) as Partial<Record<TargetKey, string>>;

  rows.push({ workload: `LIST all ${n}, p50`, values: perKey((k) => listRounds("full", k)), extra: extraKey((k) => listBytes("full", k)), fmt: ms, goal: andFloor(lower(0.3), 1.5) });
  rows.push({ workload: `LIST all ${n}, resourceVersion=0, p50`, values: perKey((k) => listRounds("rv0", k)), extra: extraKey((k) => listBytes("rv0", k)), fmt: ms, goal: info });
  rows.push({ workload: `LIST all ${n} as Table (kubectl get), p50`, values: perKey((k) => listRounds("table", k)), extra: extraKey((k) => listBytes("table", k)), fmt: ms, goal: info });
  rows.push({ workload: `Paged LIST limit=${r.options.pageLimit}, whole walk, p50`, values: perKey((k) => listRounds("paged", k)), extra: extraKey((k) => listBytes("paged", k)), fmt: ms, goal: lower(0.3) });
  rows.push({
    workload: `Create, ${r.options.concurrency} concurrent clients (durable), objects/s`,
    values: perKey((k) => writes(r.create, k)),
    fmt: rate,
    goal: { text: "≥ 2× B", check: (a, b) => a / b >= 2 },
  });
  rows.push({ workload: `Status write (PATCH /status), ${r.options.concurrency} clients, objects/s`, values: perKey((k) => writes(r.status, k)), fmt: rate, goal: info });
  if (Object.keys(r.writeDiag).length) {
    const dn = r.options.writeDiagObjects.toLocaleString("en-US");
    rows.push({ workload: `Create again, ${dn} per round into a store holding ${n} (diagnostic, A direct included), objects/s`, values: perKey((k) => (r.writeDiag[k] ?? []).map((w) => w.create.perSec)), fmt: rate, goal: info });
    rows.push({ workload: `Status write again, ${dn} per round (diagnostic), objects/s`, values: perKey((k) => (r.writeDiag[k] ?? []).map((w) => w.status.perSec)), fmt: rate, goal: info });
  }
  for (const nw of r.options.watchers) {
    const label = nw.toLocaleString("en-US");
    const is5k = nw >= 5_000;
    rows.push({ workload: `One event to ${label} watchers, p50`, values: perKey((k) => watchRounds(nw, k).map((w) => w.p50ms)), fmt: ms, goal: info });
    rows.push({ workload: `One event to ${label} watchers, p99`, values: perKey((k) => watchRounds(nw, k).map((w) => w.p99ms)), fmt: ms, goal: is5k ? andFloor(lower(0.8), 1.2) : info });
    rows.push({
      workload: `RSS per open watch, N=${label} (our server, restarted before each round / B's kube-apiserver and the floor during their latency rounds)`,
      values: perKey((k) => perWatch(nw, k)),
      fmt: kb,
      noRatio: true,
      goal: is5k ? { text: "ours ≤ 16 KiB", check: (a) => a <= 16 * 1024 } : info,
    });
  }
  rows.push({ workload: `RSS holding ${n} profiles, after the LIST rounds (our server / B's kube-apiserver)`, values: perKey((k) => rssMain(r.rssLoaded[k]), stored), fmt: mb, goal: lower(0.3) });
  const fresh = r.options.watchers.flatMap((nw) => keys.flatMap((k) => memRounds(nw, k).map((w) => ({ k, v: w.rssBefore.main }))));
  if (fresh.length) {
    rows.push({
      workload: `RSS holding ${n} profiles, our server restarted (before its watches open; B: as above)`,
      values: perKey((k) => (k === "B" ? rssMain(r.rssLoaded.B) : fresh.filter((f) => f.k === k).map((f) => f.v)), stored),
      fmt: mb,
      goal: lower(0.3),
    });
  }

  const cell = (row: Row, k: TargetKey) => {
    const v = row.values[k] ?? [];
    if (v.length === 0) return "—";
    const extra = row.extra?.[k];
    return `${row.fmt(median(v))}${range(v, row.fmt)}${extra ? `<br>${extra}` : ""}`;
  };
  const verdict = (row: Row, k: TargetKey, ref: TargetKey = "B") => {
    const a = median(row.values[k] ?? []);
    const b = median(row.values[ref] ?? []);
    const check = ref === "Floor" ? row.goal.floor?.check : row.goal.check;
    if (!check || Number.isNaN(a) || Number.isNaN(b)) return "";
    return check(a, b) ? " ✅" : " ❌";
  };
  const floorRatio = (row: Row, k: TargetKey) => (row.noRatio || !row.values.Floor?.length ? "" : ratio(median(row.values[k] ?? []), median(row.values.Floor)) + verdict(row, k, "Floor"));
  const goalText = (g: Goal) => (g.floor ? (g.text === "—" ? g.floor.text : `${g.text}; ${g.floor.text}`) : g.text);

  const L: string[] = [];
  L.push(`# Benchmark results: clusterset-apiserver vs kube-apiserver + CRD${keys.includes("Floor") ? " (and the floor)" : ""}`);
  L.push("");
  L.push(`Generated by \`${r.command}\` (bench/run.ts) on ${r.startedAt.slice(0, 10)}, ${Math.round(r.durationS)} s in all. Method: /work/shared/BENCH.md.`);
  L.push("Numbers are medians over rounds (each round: " + keys.join(", then ") + "), with the range of the round values in parentheses.");
  L.push("");
  if (r.tree) L.push(`Server code: \`${r.tree.commit}\`${r.tree.changedFiles ? ` plus ${r.tree.changedFiles} uncommitted file(s) outside bench/` : ""} (compiled at the start of the run).`, "");
  L.push("## Machine");
  L.push("");
  L.push(`- ${r.machine.nproc} CPUs (nproc), ${r.machine.cpuModel}; ${r.machine.memTotal} RAM; Linux ${r.machine.kernel}`);
  L.push(`- Node ${r.machine.node}; kube-apiserver ${r.machine.kube} (hub of A and B are the same build), etcd and clients on the same machine, all on 127.0.0.1`);
  L.push(`- Options: ${r.options.profiles} profiles, ${r.options.rounds} rounds, ${r.options.concurrency} writers, ${r.options.listReps} LISTs per round (after one warm-up), watchers ${r.options.watchers.join(", ") || "none"}, ${r.options.watchEvents} events per watch round, ≤ ${r.options.streamsPerSession} watch streams per HTTP/2 session (fewer when the server advertises a lower SETTINGS_MAX_CONCURRENT_STREAMS); our server run from ${r.options.serverEntry === "built" ? "its compiled JavaScript (bench/.dist, as production)" : "main.ts through tsx"}`);
  L.push("");
  L.push("## Systems");
  L.push("");
  for (const t of r.targets) L.push(`- **${t.key}**: ${t.title}.`);
  L.push("");
  L.push("## Summary");
  L.push("");
  const ratioHeads = [...ours.map((k) => `${short[k]} / B`), ...overFloor.map((k) => `${short[k]} / Floor`)];
  L.push(`| workload | ${keys.map(title).join(" | ")} | ${ratioHeads.join(" | ")} | goal (BENCH.md) |`);
  L.push(`|---|${keys.map(() => "---").join("|")}|${ratioHeads.map(() => "---").join("|")}|---|`);
  for (const row of rows) {
    const overB = ours.map((k) => (row.noRatio ? "" : ratio(median(row.values[k] ?? []), median(row.values.B ?? []))) + verdict(row, k));
    L.push(`| ${row.workload} | ${keys.map((k) => cell(row, k)).join(" | ")} | ${[...overB, ...overFloor.map((k) => floorRatio(row, k))].join(" | ")} | ${goalText(row.goal)} |`);
  }
  L.push("");
  L.push(`The ratio is A's median over B's${overFloor.length ? " (A / Floor: over the floor's, for the LIST and watch rows it ran in)" : ""}; for memory per watch the goal is absolute (our server's RSS delta / N). RSS deltas are noisy by ±10 MiB or so: at N × 16 KiB below that, a per-watch figure says little.`);
  L.push("");

  L.push("## Details per round");
  L.push("");
  L.push("### Writes (load phase)");
  L.push("");
  L.push("| system | round | creates | create/s | create p50 / p99 | status/s | status p50 / p99 | errors |");
  L.push("|---|---|---|---|---|---|---|---|");
  for (const k of keys) {
    (r.create[k] ?? []).forEach((c, i) => {
      const s = r.status[k]?.[i];
      L.push(`| ${k} | ${i + 1} | ${c.objects} | ${rate(c.perSec)} | ${ms(c.p50ms)} / ${ms(c.p99ms)} | ${s ? rate(s.perSec) : "—"} | ${s ? `${ms(s.p50ms)} / ${ms(s.p99ms)}` : "—"} | ${c.errors + (s?.errors ?? 0)} |`);
    });
  }
  for (const k of keys) {
    (r.writeDiag[k] ?? []).forEach(({ create: c, status: st }, i) => {
      L.push(`| ${k} (diagnostic) | ${i + 1} | ${c.objects} | ${rate(c.perSec)} | ${ms(c.p50ms)} / ${ms(c.p99ms)} | ${rate(st.perSec)} | ${ms(st.p50ms)} / ${ms(st.p99ms)} | ${c.errors + st.errors} |`);
    });
  }
  L.push("");
  L.push("Stored after the load: " + keys.filter((k) => k !== "A-direct" && k !== "Floor").map((k) => {
    const c = r.counts[k];
    return c ? `${k} ${c.items} profiles (${c.withStatus} with status, managedFields ${c.managedFields ? "present" : "absent"})` : `${k} —`;
  }).join("; ") + ".");
  L.push("");
  L.push("### LIST (ms per request, each round after one warm-up)");
  L.push("");
  L.push("| kind | system | round 1 | round 2 | round 3 | … |");
  L.push("|---|---|---|---|---|---|");
  for (const kind of ["full", "rv0", "table", "paged"] as ListKind[]) {
    for (const k of keys) {
      const rounds = r.list[kind]?.[k] ?? [];
      L.push(`| ${kind} | ${k} | ${rounds.map((s) => s.ms.map((v) => v.toFixed(0)).join(", ")).join(" | ")} |`);
    }
  }
  L.push("");
  if (r.options.watchers.length) {
    L.push("### Watch fan-out");
    L.push("");
    L.push("| N | system | round | open all | p50 / p99 / max | per event p99 | missed | RSS main before → open | per watch (main) | per watch (others) |");
    L.push("|---|---|---|---|---|---|---|---|---|---|");
    for (const nw of r.options.watchers) {
      for (const k of keys) {
        watchRounds(nw, k).forEach((w, i) => {
          const others = Object.entries(w.perWatchOthers).map(([name, v]) => `${name} ${kb(v)}`).join(", ");
          L.push(`| ${nw} | ${k} | ${i + 1} | ${(w.openMs / 1000).toFixed(1)} s (${w.sessions} sessions) | ${ms(w.p50ms)} / ${ms(w.p99ms)} / ${ms(w.maxms)} | ${w.perEvent.map((e) => e.p99ms.toFixed(0)).join(", ")} | ${w.missed} | ${mb(w.rssBefore.main)} → ${mb(w.rssOpen.main)} | ${kb(w.perWatchBytes)} | ${others} |`);
        });
      }
    }
    L.push("");
  }
  if (Object.keys(r.watchMemory).length) {
    L.push("### Memory per watch, our server restarted before each round");
    L.push("");
    L.push("| N | system | round | open all | RSS before → all open | per watch | others per watch |");
    L.push("|---|---|---|---|---|---|---|");
    for (const nw of r.options.watchers) {
      for (const k of keys) {
        memRounds(nw, k).forEach((w, i) => {
          const others = Object.entries(w.perWatchOthers).map(([name, v]) => `${name} ${kb(v)}`).join(", ");
          L.push(`| ${nw} | ${k} | ${i + 1} | ${(w.openMs / 1000).toFixed(1)} s | ${mb(w.rssBefore.main)} → ${mb(w.rssOpen.main)} | ${kb(w.perWatchBytes)} | ${others} |`);
        });
      }
    }
    L.push("");
  }
  L.push("### Memory (VmRSS)");
  L.push("");
  L.push("| system | process | empty | holding all profiles (after each list round) |");
  L.push("|---|---|---|---|");
  for (const t of r.targets.filter((x) => x.key !== "A-direct")) {
    const empty = r.rssEmpty[t.key];
    const loaded = r.rssLoaded[t.key] ?? [];
    L.push(`| ${t.key} | ${t.mainName} | ${empty ? mb(empty.main) : "—"} | ${loaded.map((s) => mb(s.main)).join(", ")} |`);
    for (const name of Object.keys(empty?.others ?? {})) {
      L.push(`| ${t.key} | ${name} | ${mb(empty!.others[name]!)} | ${loaded.map((s) => mb(s.others[name] ?? Number.NaN)).join(", ")} |`);
    }
  }
  L.push("");
  L.push("## Problems in this run");
  L.push("");
  if (r.problems.length === 0) L.push("None: every request answered as expected.");
  for (const p of r.problems) L.push(`- ${p.replace(/\n/g, " ")}`);
  L.push("");
  L.push("## How it was measured");
  L.push("");
  L.push("- A user's path on both sides: a node:http2 client (TLS, the front kube-apiserver's admin client certificate) to a kube-apiserver; for A the hub's aggregator proxies to our server (HTTP/2), for B the kube-apiserver serves the CRD itself. Prebuilt bodies, JSON, no compression asked (no Accept-Encoding), bounded loops, everything on 127.0.0.1.");
  L.push("- Profiles: created (spec + labels) with 32 clients, each its own HTTP/2 connection; then each one's status (version, 2 conditions, 6 properties, a kubeconfig access provider with a CA) written through `/status` (merge patch), as a cluster manager does on the upstream CRD. A 201/200 means stored durably on both sides (level: fsync'd batch; etcd: committed).");
  L.push("- LIST: sequential requests on one HTTP/2 connection, timed to the last body byte. `full` has no resourceVersion (B: etcd quorum read), `rv0` allows B's watch cache, `table` is what `kubectl get` asks for. Paged: limit=500, following `continue` to the end; one sample is the whole walk.");
  L.push("- Watch: N watches on the namespace's collection from the current resourceVersion (no initial events), multiplexed over HTTP/2 sessions to the front kube-apiserver (≤ " + r.options.streamsPerSession + " streams each, as client-go multiplexes, and no more than the server's SETTINGS_MAX_CONCURRENT_STREAMS — kube-apiserver 1.37 advertises 100 — beyond which Go's transport opens another connection; the sessions column of the watch details says how many). One object's label is patched once untimed (the first event after a burst of opens meets the garbage collection of that burst), then " + r.options.watchEvents + " times; latency runs from just before the PATCH is sent to the arrival of each watcher's complete event line, all received by the one bench process (its own event loop adds to the tail on both sides alike). Memory per watch: VmRSS after all N are open (2 s settle) minus before, over N.");
  L.push("- Memory per watch on our server: a long-lived heap keeps the slack of earlier LISTs and rounds, so RSS deltas measured there read near zero; our server is therefore restarted before each memory round (then one LIST and one watch to warm it, 3 s, the baseline, N watches, 2 s, the sample). B's kube-apiserver cannot be restarted by the harness: its figure comes from the latency rounds, with the same caveat (Go reuses its heap too).");
  L.push("- Our server runs as production does when compiled (`node bench/.dist/main.js serve …`, the bench's own child with the harness's flags): the harness's `--import tsx` would add about 80 MB of RSS (its loader thread) even to compiled code. `--server-entry source` runs main.ts through tsx instead.");
  if (keys.includes("Floor")) {
    L.push("- The floor: a bare node:http2 secure server (HTTP/1.1 allowed on the same port; bench/floor-server.ts, run as plain `node`, no logic, no auth) registered on its own hub kube-apiserver of the same build with an APIService and its CA, exactly like A, so the same client reaches it through a hub on the same paths. After the load, the bench captures from A through its hub the exact bytes of every request the LIST and watch workloads make (plain, resourceVersion=0, Table, limit=1, each page of the paged walk keyed by A's own continue tokens; A's PATCH reply and the MODIFIED event line A sends its watchers) and hands them to the floor, then checks through the floor's hub that the LIST, Table and page bytes equal A's. The floor keeps every watch stream open; the workload's PATCH makes it put the label value into A's event line once and write that Buffer to every open stream. It takes part in the LIST and watch workloads only (nothing to store).");
  }
  L.push("- Write diagnostic: after the other workloads, " + r.options.writeDiagObjects + " more profiles per round and system (A direct included) are created and given a status in another namespace, to separate the hub's proxying from our server's own cost.");
  L.push("- RSS: /proc/<pid>/status VmRSS. A's main process is our server (its level store is in-process); B's is its kube-apiserver, whose etcd is listed separately.");
  L.push("");
  L.push(notesSection(out));
  writeFileSync(out, `${L.join("\n")}\n`);
}

const NOTES_START = "<!-- notes -->";
const NOTES_END = "<!-- /notes -->";

/** The hand-written notes of the existing report, or an empty placeholder. */
function notesSection(out: string): string {
  if (existsSync(out)) {
    const old = readFileSync(out, "utf8");
    const a = old.indexOf(NOTES_START);
    const b = old.indexOf(NOTES_END);
    if (a >= 0 && b > a) return old.slice(a, b + NOTES_END.length);
  }
  return `${NOTES_START}\n## Notes\n\n(Hand-written observations go here; bench/report.ts keeps this section across runs.)\n${NOTES_END}`;
}

// `tsx bench/report.ts [bench/RESULTS.json [bench/RESULTS.md]]` renders a report again from its JSON (after
// editing the notes section, say) without running anything.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const json = process.argv[2] ?? path.join(here, "RESULTS.json");
  const out = process.argv[3] ?? json.replace(/\.json$/, ".md");
  writeReport(JSON.parse(readFileSync(json, "utf8")) as Results, out);
  process.stdout.write(`wrote ${out}\n`);
}
