import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { staleHintCases } from "./conformance/hints.js";
import type { LevelStore } from "./level.js";
import type { StoreHarness } from "./storage.case.js";
import { storageConformance, testTuning } from "./storage.case.js";
import { openLevelHarness } from "./testing/harnesses.js";

storageConformance({ name: "level", open: openLevelHarness, countsRemaining: true, sharesEvents: true });

describe("level backend", () => {
  let harness: (StoreHarness & { store: LevelStore }) | undefined;
  beforeEach(async () => {
    harness = await openLevelHarness(testTuning);
  });
  afterEach(async () => {
    await harness?.close();
  });
  staleHintCases(() => harness!);

  it("group-commits concurrent writes into few synced batches", async () => {
    const { store } = harness!;
    const before = store.commitBatches;
    const writes = Array.from({ length: 32 }, (_, i) => store.create(`/things/ns/o${i}`, { metadata: { name: `o${i}` } }));
    await Promise.all(writes);
    const batches = store.commitBatches - before;
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThan(8);
  });
});
