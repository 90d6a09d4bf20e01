/** Watches: from a resourceVersion, with a selector, the initial events, a resume point too old. */
import { describe, expect, it } from "vitest";
import { both, cs, given, n, omit, patch, pd, per, post, same, space, watchEvents, type Answer, type Json } from "../support/differential-sides.js";

const listRV = (la: Answer, lb: Answer) => per<string>(la.json.metadata.resourceVersion, lb.json.metadata.resourceVersion);

export function watches(): void {
  describe("watch", () => {
    it("from a list's resourceVersion: ADDED, MODIFIED, DELETED for a create, update and delete", async () => {
      const { PD } = await space("watch-events");
      const [la, lb] = await both(PD);
      await both(PD, post(pd("w1")));
      await both(`${PD}/w1`, patch("merge", { schedulerName: "sched-w" }));
      await both(`${PD}/w1`, { method: "DELETE" });
      const rv = listRV(la, lb);
      const [a, b] = await both((s) => `${PD}?watch=1&resourceVersion=${rv(s)}&timeoutSeconds=2`);
      expect(a.status).toBe(200);
      same({ ...a, json: undefined }, { ...b, json: undefined });
      const ea = watchEvents(a.body);
      const eb = watchEvents(b.body);
      expect(ea.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
      expect(ea.map((e) => ({ type: e.type, object: n.object(e.object) }))).toEqual(eb.map((e) => ({ type: e.type, object: n.object(e.object) })));
    });

    it("a labelSelector watch from a resourceVersion sees only matching objects", async () => {
      const { PD } = await space("watch-selector");
      const [la, lb] = await both(PD);
      await given(PD, pd("w2", { labels: { watched: "yes" } }));
      await given(PD, pd("w3"));
      const rv = listRV(la, lb);
      const [a, b] = await both((s) => `${PD}?watch=1&resourceVersion=${rv(s)}&timeoutSeconds=2&labelSelector=watched`);
      const ea = watchEvents(a.body);
      expect(ea.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED w2"]);
      expect(ea.map((e) => n.object(e.object))).toEqual(watchEvents(b.body).map((e) => n.object(e.object)));
    });

    it("watch-list: the initial objects, then a BOOKMARK of the resource's kind marking their end", async () => {
      const { PD } = await space("watch-list");
      await given(PD, pd("wl-1"));
      const [a, b] = await both(`${PD}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=2`);
      expect(a.status).toBe(200);
      // Up to the first BOOKMARK (the end marker); a bookmark's resourceVersion is the store's, compared by format.
      const initial = (x: Answer) => {
        const events = watchEvents(x.body);
        return events.slice(0, events.findIndex((e) => e.type === "BOOKMARK") + 1).map((e) => ({ type: e.type, object: n.object(e.object) }));
      };
      expect(initial(a).map((e) => e.type)).toEqual(["ADDED", "BOOKMARK"]);
      expect(initial(a)[1]!.object).toMatchObject({ kind: "PlacementDecision", apiVersion: "multicluster.x-k8s.io/v1alpha1", metadata: { annotations: { "k8s.io/initial-events-end": "true" } } });
      expect(initial(a)).toEqual(initial(b));
    });

    it("a watch without resourceVersion starts with an ADDED event for every existing object", async () => {
      const { PD } = await space("watch-initial");
      await given(PD, pd("init-1", { labels: { initial: "yes" } }));
      await given(PD, pd("init-2", { labels: { initial: "yes" } }));
      const [a, b] = await both(`${PD}?watch=1&labelSelector=initial&timeoutSeconds=1`);
      const names = (ans: Answer) => watchEvents(ans.body).map((e) => `${e.type} ${e.object.metadata.name}`).sort();
      expect(names(a)).toEqual(["ADDED init-1", "ADDED init-2"]);
      expect(names(a)).toEqual(names(b));
    });
  });
}

/** Restarts our server: registered last, so no other scenario waits for it. */
export function watchTooOld(): void {
  describe("watch resume point older than the history", () => {
    it("200, then one ERROR event with a 410 Expired Status", async () => {
      const { PD } = await space("watch-too-old");
      // Our server keeps the last 10,000 changes; a restart starts its history afresh. kube-apiserver's window
      // starts where the CRD's watch cache did, so resourceVersion 1 is too old on both.
      await cs.server.restart();
      const [a, b] = await both(`${PD}?watch=1&resourceVersion=1&timeoutSeconds=2`);
      expect(a.status).toBe(200);
      same({ ...a, json: undefined }, { ...b, json: undefined });
      const ea = watchEvents(a.body);
      const eb = watchEvents(b.body);
      expect(ea).toHaveLength(1);
      expect(eb).toHaveLength(1);
      expect(ea[0]!.type).toBe("ERROR");
      const status = (e: Json) => n.status({ ...e.object, message: String(e.object.message).replace(/\d+/g, "N") });
      expect(eb[0]!.object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
      expect(omit(status(ea[0]), [])).toEqual(omit(status(eb[0]), []));
    });
  });
}
