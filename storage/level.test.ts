import { describe, expect, it } from "vitest";
import { storageConformance, testTuning } from "./storage.case.js";
import { openLevelHarness } from "./testing/harnesses.js";

storageConformance({ name: "level", open: openLevelHarness, countsRemaining: true, sharesEvents: true });

describe("level backend", () => {
  it("group-commits concurrent writes into few synced batches", async () => {
    const h = await openLevelHarness(testTuning);
    try {
      const before = h.store.commitBatches;
      const writes = Array.from({ length: 32 }, (_, i) => h.store.create(`/things/ns/o${i}`, { metadata: { name: `o${i}` } }));
      await Promise.all(writes);
      const batches = h.store.commitBatches - before;
      expect(batches).toBeGreaterThanOrEqual(1);
      expect(batches).toBeLessThan(8);
    } finally {
      await h.close();
    }
  });
});
