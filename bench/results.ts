/** What one bench run measured: filled by run.ts, written out by report.ts (markdown) and as JSON. */
import type { WriteRound } from "./workloads/create.js";
import type { ListKind, ListSamples } from "./workloads/list.js";
import type { RssSample } from "./workloads/rss.js";
import type { WatchRound } from "./workloads/watch.js";
import type { TargetKey } from "./targets.js";

export interface Machine {
  nproc: number;
  memTotal: string;
  cpuModel: string;
  node: string;
  kube: string;
  kernel: string;
}

export interface Options {
  quick: boolean;
  /** built: bench/.dist/main.js (what production runs); source: main.ts through tsx (what tests run). */
  serverEntry: "built" | "source";
  /** Besides the load (creates + status), which always runs. */
  workloads: Array<"list" | "watch" | "writes">;
  /** Profiles per round and target in the write diagnostic. */
  writeDiagObjects: number;
  profiles: number;
  rounds: number;
  concurrency: number;
  listReps: number;
  pageLimit: number;
  watchers: number[];
  watchEvents: number;
  streamsPerSession: number;
  withEtcd: boolean;
  /** Also A-direct: our server without the hub in front (a diagnostic). */
  direct: boolean;
  /** Also the floor: a bare node:http2 server behind its own hub replaying A's bytes (LIST and watch only). */
  floor?: boolean;
  out: string;
}

export interface Results {
  command: string;
  /** The server code measured: HEAD when the bench started, and files changed outside bench/ (uncommitted). */
  tree?: { commit: string; changedFiles: number };
  startedAt: string;
  finishedAt: string;
  durationS: number;
  machine: Machine;
  options: Options;
  targets: Array<{ key: TargetKey; title: string; mainName: string }>;
  /** Per target, per round. */
  create: Partial<Record<TargetKey, WriteRound[]>>;
  status: Partial<Record<TargetKey, WriteRound[]>>;
  counts: Partial<Record<TargetKey, { items: number; withStatus: number; managedFields: boolean }>>;
  list: Partial<Record<ListKind, Partial<Record<TargetKey, ListSamples[]>>>>;
  rssEmpty: Partial<Record<TargetKey, RssSample>>;
  /** Holding all profiles: sampled after each list round. */
  rssLoaded: Partial<Record<TargetKey, RssSample[]>>;
  /** Keyed by N. */
  watch: Record<string, Partial<Record<TargetKey, WatchRound[]>>>;
  /** Keyed by N: our servers restarted before each round, N watches opened, no events (memory per watch). */
  watchMemory: Record<string, Partial<Record<TargetKey, WatchRound[]>>>;
  /** The write diagnostic (A-direct included), per target, per round. */
  writeDiag: Partial<Record<TargetKey, Array<{ create: WriteRound; status: WriteRound }>>>;
  /** What went wrong or was skipped, in words. */
  problems: string[];
}
