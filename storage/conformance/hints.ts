/**
 * Backend-only cases: the watch cache hands guaranteedUpdate and delete its cached copy, which may be stale
 * (another replica wrote since). A stale copy may cost a retry, never a wrong answer.
 */
import { expect, it } from "vitest";
import type { Backend } from "../backend.js";
import type { KubeObject } from "../interface.js";
import { obj, type StoreHarness } from "./harness.js";

export function staleHintCases(h: () => StoreHarness & { store: Backend }): void {
  it("guaranteedUpdate from a stale cached copy retries on the stored object", async () => {
    const { store } = h();
    const stale = await store.create("/things/ns/a", obj("a", { spec: { n: 1 } }));
    const current = await store.guaranteedUpdate("/things/ns/a", (c) => ({ ...c, spec: { n: 2 } }));
    const seen: KubeObject[] = [];
    // The caller's own optimistic-concurrency check fails on the stale copy, passes on the stored one.
    const result = await store.guaranteedUpdate(
      "/things/ns/a",
      (cur) => {
        seen.push(cur);
        if (cur.metadata.resourceVersion !== current.metadata.resourceVersion) throw new Error("conflict");
        return { ...cur, spec: { n: 3 } };
      },
      undefined,
      stale,
    );
    expect(seen.map((o) => o.spec)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(result.spec).toEqual({ n: 3 });
  });

  it("guaranteedUpdate returning a stale copy unchanged does not pass it off as current", async () => {
    const { store } = h();
    const stale = await store.create("/things/ns/a", obj("a", { spec: { n: 1 } }));
    const current = await store.guaranteedUpdate("/things/ns/a", (c) => ({ ...c, spec: { n: 2 } }));
    const result = await store.guaranteedUpdate("/things/ns/a", (cur) => cur, undefined, stale);
    expect(result.metadata.resourceVersion).toBe(current.metadata.resourceVersion);
    expect(result.spec).toEqual({ n: 2 });
  });

  it("delete with preconditions checks the stored object, not a stale cached copy", async () => {
    const { store } = h();
    const stale = await store.create("/things/ns/a", obj("a"));
    const current = await store.guaranteedUpdate("/things/ns/a", (c) => ({ ...c, spec: { n: 2 } }));
    const gone = await store.delete("/things/ns/a", { resourceVersion: current.metadata.resourceVersion! }, stale);
    expect(gone.spec).toEqual({ n: 2 });
  });
}
