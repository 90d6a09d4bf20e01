import { describe, expect, it } from "vitest";
import { parseGoDuration, requestTimeoutMs } from "./timeout.js";

describe("request timeouts", () => {
  it("parses Go durations", () => {
    expect(parseGoDuration("32s")).toBe(32_000);
    expect(parseGoDuration("1m30s")).toBe(90_000);
    expect(parseGoDuration("250ms")).toBe(250);
    expect(parseGoDuration("1.5h")).toBe(5_400_000);
    for (const bad of ["", "10", "s", "1x", "1s2", "-1s"]) expect(() => parseGoDuration(bad)).toThrow(/invalid duration/);
  });
  it("takes the shorter of the query's timeout and the cap", () => {
    expect(requestTimeoutMs(new URLSearchParams("timeout=5s"))).toBe(5000);
    expect(requestTimeoutMs(new URLSearchParams("timeout=10m"))).toBe(60_000);
    expect(requestTimeoutMs(new URLSearchParams(""))).toBe(60_000);
  });
});
