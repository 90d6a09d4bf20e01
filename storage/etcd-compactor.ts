/**
 * Periodic etcd compaction, the way kube-apiserver does it: every interval, compact to the revision seen one
 * interval earlier, so about one interval of history stays available for watch resume and continue tokens.
 * Several replicas share the work through a compare-and-swap on a "compact_rev_key" version: per interval only
 * the one whose swap succeeds compacts. The key sits beside our prefix (not under it), so it is never listed.
 */
import type { Etcd3 } from "etcd3";
import { errorText, ignoreStorageEvents, type StorageEventSink } from "./events.js";

export class EtcdCompactor {
  private timer?: NodeJS.Timeout;
  private seenVersion = 0;
  private revisionToCompact = 0;
  private readonly key: Buffer;

  constructor(
    private readonly client: Etcd3,
    root: string,
    private readonly intervalMs: number,
    private readonly events: StorageEventSink = ignoreStorageEvents,
  ) {
    this.key = Buffer.from(`${root}-compact_rev_key`, "utf8");
  }

  start(): void {
    if (this.intervalMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => void this.tick().catch((err: unknown) => this.events({ kind: "etcd-compaction-failed", message: `etcd compaction failed; trying again in ${this.intervalMs} ms (history grows until one succeeds)`, error: errorText(err) })), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round; exported for tests. Returns the revision compacted to, if this replica compacted. */
  async tick(): Promise<number | undefined> {
    const resp = await this.client.kv.txn({
      compare: [{ key: this.key, target: "Version", result: "Equal", version: this.seenVersion }],
      success: [{ request_put: { key: this.key, value: Buffer.from(String(this.revisionToCompact)) } }],
      failure: [{ request_range: { key: this.key } }],
    });
    const current = Number(resp.header.revision);
    if (!resp.succeeded) {
      // Another replica compacted this interval: adopt its counter and try again next interval.
      const kv = resp.responses[0]?.response_range?.kvs[0];
      this.seenVersion = kv === undefined ? 0 : Number(kv.version);
      this.revisionToCompact = current;
      return undefined;
    }
    this.seenVersion++;
    const target = this.revisionToCompact;
    this.revisionToCompact = current;
    if (target <= 0) return undefined; // first round only records where we are
    await this.client.kv.compact({ revision: target, physical: false });
    return target;
  }
}
