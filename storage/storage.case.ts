/**
 * The storage conformance suite: one function that registers the same expectations for any Store. Each backend
 * test file calls it (level.test.ts, etcd.test.ts), and cacher.test.ts calls it for the cache over each backend.
 * Every test gets a fresh, empty store with small windows (conformance/harness.ts testTuning).
 */
import { afterEach, beforeEach, describe } from "vitest";
import { crudCases } from "./conformance/crud.js";
import { testTuning, type ConformanceTarget, type StoreHarness } from "./conformance/harness.js";
import { listCases } from "./conformance/list.js";
import { watchCases } from "./conformance/watch.js";

export type { ConformanceTarget, StoreHarness } from "./conformance/harness.js";
export { testTuning, writeFillers } from "./conformance/harness.js";

export function storageConformance(target: ConformanceTarget): void {
  describe(`${target.name}: Store conformance`, () => {
    let harness: StoreHarness | undefined;
    beforeEach(async () => {
      harness = await target.open(testTuning);
    });
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });
    const h = (): StoreHarness => {
      if (harness === undefined) throw new Error("no store: beforeEach failed");
      return harness;
    };
    describe("objects", () => crudCases(h));
    describe("lists", () => listCases(h, target));
    describe("watches", () => watchCases(h, target));
  });
}
