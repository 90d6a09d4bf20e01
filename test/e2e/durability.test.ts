/**
 * Nothing acknowledged is lost: kill -9 of our server in the middle of a burst of concurrent creates over
 * HTTP, then a restart; every object that got a 201 is there and revisions keep increasing. Five rounds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { Direct } from "./support/direct.js";

const G = "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/default/placementdecisions";
const ROUNDS = 5;
const WORKERS = 32;
let cs: ClusterSet;

beforeAll(async () => {
  cs = await startClusterSet({ members: 0, label: "durability" });
});
afterAll(async () => {
  await cs?.stop();
});

const body = (name: string) => ({ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "PlacementDecision", metadata: { name }, decisions: [] });

describe("durability", () => {
  it(`keeps every acknowledged create across kill -9, ${ROUNDS} rounds`, async () => {
    const acknowledged = new Map<string, number>();
    let lastRevision = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const client = new Direct(cs);
      let stop = false;
      let seq = 0;
      const worker = async (w: number) => {
        while (!stop) {
          const name = `r${round}-w${w}-${seq++}`;
          try {
            const r = await client.request("POST", G, body(name));
            if (r.status === 201) acknowledged.set(name, Number((JSON.parse(r.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion));
          } catch {
            return; // the connection died with the server
          }
        }
      };
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
      // Let the burst run, then kill mid-flight.
      await new Promise((r) => setTimeout(r, 400 + round * 100));
      await cs.server.kill9();
      stop = true;
      await Promise.all(workers);
      client.close();
      await cs.server.start();

      const after = new Direct(cs);
      const list = await after.request("GET", G);
      expect(list.status).toBe(200);
      const parsed = JSON.parse(list.body) as { metadata: { resourceVersion: string }; items: { metadata: { name: string } }[] };
      const present = new Set(parsed.items.map((i) => i.metadata.name));
      const missing = [...acknowledged.keys()].filter((n) => !present.has(n));
      expect(missing, `round ${round}: acknowledged but missing`).toEqual([]);
      const maxAcked = Math.max(...acknowledged.values());
      expect(Number(parsed.metadata.resourceVersion)).toBeGreaterThanOrEqual(maxAcked);
      // Revisions keep increasing after the restart.
      const fresh = await after.request("POST", G, body(`after-${round}`));
      expect(fresh.status).toBe(201);
      const rv = Number((JSON.parse(fresh.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
      expect(rv).toBeGreaterThan(Math.max(maxAcked, lastRevision));
      lastRevision = rv;
      after.close();
    }
    expect(acknowledged.size).toBeGreaterThan(ROUNDS * WORKERS);
  }, 300_000);
});
