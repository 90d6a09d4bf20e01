/**
 * Write throughput with C concurrent clients, each its own HTTP/2 connection to the front kube-apiserver
 * (32 separate clients, not 32 streams on one): creates (POST, 201 only when stored durably — fsync'd level
 * batch or etcd commit), then each new object's status through /status (merge patch), as a cluster manager
 * writes it.
 */
import { closeSession, connect, request, type Session } from "../client.js";
import { collection, createBody, NAMESPACE, profileName, statusPatch } from "../fixtures.js";
import { percentile, since } from "../stats.js";
import type { Target } from "../targets.js";

export interface WriteRound {
  objects: number;
  ms: number;
  perSec: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  firstError?: string;
}

interface Op {
  method: string;
  path: string;
  body: Buffer;
  contentType: string;
  ok: number;
}

async function drive(sessions: Session[], ops: Op[]): Promise<WriteRound> {
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    sessions.map(async (s) => {
      for (let i = next++; i < ops.length; i = next++) {
        const op = ops[i]!;
        try {
          const r = await request(s, { method: op.method, path: op.path, body: op.body, contentType: op.contentType });
          lat.push(r.ms);
          if (r.status !== op.ok) {
            errors++;
            firstError ??= `${op.method} ${op.path}: HTTP ${r.status}: ${r.head.slice(0, 300)}`;
          }
        } catch (e) {
          errors++;
          firstError ??= `${op.method} ${op.path}: ${(e as Error).message}`;
        }
      }
    }),
  );
  const ms = since(t0);
  return { objects: ops.length, ms, perSec: (ops.length - errors) / (ms / 1000), p50ms: percentile(lat, 50), p99ms: percentile(lat, 99), errors, ...(firstError ? { firstError } : {}) };
}

/** Creates profiles `indices` (then writes their status) with `concurrency` clients; returns both rounds. */
export async function createAndStatus(
  t: Target,
  indices: number[],
  concurrency: number,
  namespace = NAMESPACE,
): Promise<{ create: WriteRound; status: WriteRound }> {
  const coll = collection(namespace);
  const creates: Op[] = indices.map((i) => ({ method: "POST", path: coll, body: createBody(i), contentType: "application/json", ok: 201 }));
  const statuses: Op[] = indices.map((i) => ({
    method: "PATCH",
    path: `${coll}/${profileName(i)}/status`,
    body: statusPatch(i),
    contentType: "application/merge-patch+json",
    ok: 200,
  }));
  const sessions = await Promise.all(Array.from({ length: concurrency }, () => connect(t.endpoint)));
  try {
    const create = await drive(sessions, creates);
    const status = await drive(sessions, statuses);
    return { create, status };
  } finally {
    await Promise.all(sessions.map(closeSession));
  }
}
