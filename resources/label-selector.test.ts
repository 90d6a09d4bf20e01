import { describe, expect, it } from "vitest";
import table from "./label-selector.cases.json" with { type: "json" };
import { isInt64, LabelSelectorError, matchesRequirement, parseLabelSelector, type Requirement } from "./label-selector.js";

type Case = { in: string; err?: string; reqs?: Array<[string, string, string[]]> };
const byKey = (rs: Array<[string, string, string[]]>) => [...rs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
const parsed = (s: string) => byKey(parseLabelSelector(s).map((r): [string, string, string[]] => [r.key, r.op, r.values]));

describe("label selectors as kube-apiserver 1.37 parses them", () => {
  // Each case is labels.Parse's own answer (label-selector.cases.json says how it was made).
  const cases = table.cases as Case[];
  it("has cases of both kinds", () => {
    expect(cases.filter((c) => c.err).length).toBeGreaterThan(50);
    expect(cases.filter((c) => c.reqs).length).toBeGreaterThan(20);
  });
  for (const c of cases) {
    it(`${JSON.stringify(c.in)} → ${c.err ? "refused" : "parsed"}`, () => {
      if (c.err !== undefined) {
        expect(() => parseLabelSelector(c.in)).toThrowError(LabelSelectorError);
        expect(() => parseLabelSelector(c.in)).toThrowError(new LabelSelectorError(c.err));
      } else {
        expect(parsed(c.in)).toEqual(byKey(c.reqs!));
      }
    });
  }
});

describe("matching", () => {
  const req = (s: string): Requirement => parseLabelSelector(s)[0]!;
  const labels = { env: "prod", n: "5", empty: "" };
  it.each([
    ["env=prod", true],
    ["env==prod", true],
    ["env!=prod", false],
    ["gone!=x", true],
    ["env in (dev,prod)", true],
    ["env notin (dev,prod)", false],
    ["gone notin (x)", true],
    ["env", true],
    ["!env", false],
    ["!gone", true],
    ["empty in ()", true],
    ["env in ()", false],
    ["empty=", true],
    ["n>4", true],
    ["n<5", false],
    ["n>0", true],
    ["env>1", false],
    ["gone<1", false],
  ] as const)("%s → %s", (s, want) => {
    expect(matchesRequirement(req(s), labels)).toBe(want);
  });
});

describe("isInt64 (strconv.ParseInt base 10)", () => {
  it.each([
    ["0", true],
    ["-1", true],
    ["+5", true],
    ["9223372036854775807", true],
    ["9223372036854775808", false],
    ["-9223372036854775808", true],
    ["-9223372036854775809", false],
    ["1.5", false],
    ["1e3", false],
    ["", false],
    ["0x10", false],
    ["1_000", false],
  ] as const)("%s → %s", (s, want) => expect(isInt64(s)).toBe(want));
});
