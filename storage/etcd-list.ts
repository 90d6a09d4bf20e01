/**
 * Reads of many keys from etcd: list pages (at the newest revision or at an exact one, through MVCC) and full
 * snapshots for the watch cache. Both read in chunks at one pinned revision, so a large collection never needs
 * one huge gRPC answer and every chunk reflects the same moment.
 */
import type { Etcd3, IRangeResponse } from "etcd3";
import type { KubeObject, ListResult } from "./interface.js";
import type { Snapshot } from "./backend.js";
import { encodeContinue, keyAfter } from "./continue-token.js";
import { decodeKv, type EtcdKeys } from "./etcd-codec.js";
import { etcdCall } from "./etcd-errors.js";
import type { ListRequest } from "./read-plan.js";

/** Keys per range call when reading everything. */
const fullReadChunk = 2_000;

export async function listFromEtcd(client: Etcd3, keys: EtcdKeys, req: ListRequest): Promise<ListResult> {
  const { plan, limit, predicate, prefix } = req;
  let revision = plan.mode === "exact" ? plan.revision : 0; // 0: the newest, pinned by the first answer
  const end = keys.range(prefix).end;
  let start = keys.toEtcd(req.startKey < prefix ? prefix : req.startKey);
  // Without a predicate one round of `limit` keys is enough; with one, read in chunks until the page is full.
  const chunk = limit === 0 ? fullReadChunk : predicate === undefined ? limit : Math.max(limit, 500);
  const items: KubeObject[] = [];
  for (;;) {
    const resp: IRangeResponse = await etcdCall(prefix, () =>
      client.kv.range({ key: start, range_end: end, revision, limit: chunk, serializable: plan.mode === "any" }),
    );
    if (revision === 0) revision = Number(resp.header.revision);
    for (let i = 0; i < resp.kvs.length; i++) {
      const kv = resp.kvs[i]!;
      const obj = decodeKv(kv);
      if (predicate !== undefined && !predicate(obj)) continue;
      items.push(obj);
      if (limit === 0 || items.length < limit) continue;
      const result: ListResult = { items, revision };
      if (i === resp.kvs.length - 1 && !resp.more) return result;
      const after = keyAfter(keys.fromEtcd(kv.key));
      result.continue = encodeContinue(prefix, revision, after);
      // etcd counted every key in [start, end): the ones after this page are what is left.
      if (predicate === undefined) result.remainingItemCount = Number(resp.count) - (i + 1);
      return result;
    }
    const last = resp.kvs[resp.kvs.length - 1];
    if (!resp.more || last === undefined) return { items, revision };
    start = Buffer.concat([last.key, Buffer.from([0])]);
  }
}

export async function snapshotFromEtcd(client: Etcd3, keys: EtcdKeys, prefix: string): Promise<Snapshot> {
  const { key, end } = keys.range(prefix);
  let start = key;
  let revision = 0;
  const entries: [string, KubeObject][] = [];
  for (;;) {
    const resp = await etcdCall(prefix, () =>
      client.kv.range({ key: start, range_end: end, revision, limit: fullReadChunk }),
    );
    if (revision === 0) revision = Number(resp.header.revision);
    for (const kv of resp.kvs) {
      try {
        entries.push([keys.fromEtcd(kv.key), decodeKv(kv)]);
      } catch {
        // Not one of our objects (not JSON): nothing a client could be shown.
      }
    }
    const last = resp.kvs[resp.kvs.length - 1];
    if (!resp.more || last === undefined) return { entries, revision };
    start = Buffer.concat([last.key, Buffer.from([0])]);
  }
}
