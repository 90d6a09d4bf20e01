import { isCelError, parse, plan } from "@bufbuild/cel";
import { describe, expect, it } from "vitest";
import { ENV } from "./env.js";

const ev = (src: string) => {
  const r = plan(ENV, parse(src))({});
  return isCelError(r) ? `error: ${r.message}` : r;
};

describe("quantity library", () => {
  it("parses as resource.ParseQuantity", () => {
    for (const ok of ["1", "1.5Gi", "500m", "1e3", "-2k", "+1Ei", "0.1"]) expect([ok, ev(`isQuantity('${ok}')`)]).toEqual([ok, true]);
    for (const bad of ["", "1.5.5", "1Kb", "abc", "1 Gi"]) expect([bad, ev(`isQuantity('${bad}')`)]).toEqual([bad, false]);
    expect(ev("quantity('1kk')")).toBe("error: unable to parse quantity's suffix");
    expect(ev("quantity('x')")).toBe("error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });

  it("compares exactly", () => {
    expect(ev("quantity('200M').compareTo(quantity('0.2G'))")).toBe(0n);
    expect(ev("quantity('50M').compareTo(quantity('50Mi'))")).toBe(-1n);
    expect(ev("quantity('150Mi').isGreaterThan(quantity('100Mi'))")).toBe(true);
    expect(ev("quantity('50M').isLessThan(quantity('100M'))")).toBe(true);
    expect(ev("quantity('1') == quantity('1000m')")).toBe(true);
  });

  it("converts and does arithmetic", () => {
    expect(ev("quantity('1Ki').asInteger()")).toBe(1024n);
    expect(ev("quantity('1.5').isInteger()")).toBe(false);
    expect(ev("quantity('1.5').asInteger()")).toBe("error: cannot convert value to integer");
    expect(ev("quantity('50k').sub(20000).asApproximateFloat()")).toBe(30000);
    expect(ev("quantity('50k').add(quantity('20k')) == quantity('70k')")).toBe(true);
    expect(ev("quantity('50k').add(20).sub(quantity('100k')).sub(-50000) == quantity('20')")).toBe(true);
    expect(ev("quantity('2').mul(3) == quantity('6')")).toBe(true);
    expect(ev("quantity('-1m').sign()")).toBe(-1n);
    // Below nano precision rounds away from zero, as Go rounds up.
    expect(ev("quantity('0.0000000001') == quantity('1n')")).toBe(true);
  });
});

describe("optional values", () => {
  it("of, none, hasValue, value, orValue, or", () => {
    expect(ev("optional.of(1).value()")).toBe(1n);
    expect(ev("optional.none().hasValue()")).toBe(false);
    expect(ev("optional.none().orValue(2)")).toBe(2n);
    expect(ev("optional.none().or(optional.of(3)).value()")).toBe(3n);
    expect(ev("optional.ofNonZeroValue('').hasValue()")).toBe(false);
    expect(ev("optional.none().value()")).toBe("error: optional.none() dereference");
  });
});
