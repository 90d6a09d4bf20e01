import { describe, expect, it } from "vitest";
import { addQuantities, canonicalQuantity, formatQuantity, parseQuantity, QuantityError, sumQuantities } from "./quantity.js";

describe("canonical quantities (as apimachinery's Quantity.String prints them)", () => {
  // Pairs checked against resource.MustParse(x).String().
  const cases: Array<[string, string]> = [
    ["0", "0"],
    ["0Gi", "0"],
    ["8", "8"],
    ["1000", "1k"],
    ["1500", "1500"],
    ["1.5", "1500m"],
    ["0.1", "100m"],
    ["3500m", "3500m"],
    ["3.5", "3500m"],
    ["100m", "100m"],
    ["1000m", "1"],
    ["12345678n", "12345678n"],
    ["0.5m", "500u"],
    ["1n", "1n"],
    ["0.1n", "1n"], // finer than nano rounds up
    ["16Gi", "16Gi"],
    ["1024Mi", "1Gi"],
    ["1536Mi", "1536Mi"],
    ["16393988Ki", "16393988Ki"],
    ["1Ki", "1Ki"],
    ["512Ki", "512Ki"],
    ["0.5Ki", "512"], // binary below 1024 prints decimal
    ["1.1Ki", "1126400m"], // not a whole number: decimal, exact
    ["1.5Gi", "1536Mi"],
    ["1e3", "1e3"],
    ["1E3", "1e3"],
    ["1500e-3", "1500e-3"],
    ["1.5e3", "1500"],
    ["2E", "2E"],
    ["1M", "1M"],
    ["1000k", "1M"],
    ["+5", "5"],
    ["-5", "-5"],
    ["-1.5", "-1500m"],
    [".5", "500m"],
    ["129e6", "129e6"],
    ["64G", "64G"],
  ];
  it.each(cases)("%s → %s", (input, want) => {
    expect(canonicalQuantity(input)).toBe(want);
  });

  it("refuses garbage with a QuantityError", () => {
    for (const bad of ["", "abc", "1Qi", "1.2.3", "Gi", "1 Gi", "1e", "1K", "--1"]) {
      expect(() => parseQuantity(bad), bad).toThrow(QuantityError);
    }
  });
});

describe("sums", () => {
  it("sum CPU and memory the way Node totals do", () => {
    expect(sumQuantities(["4", "4"]).total).toBe("8");
    expect(sumQuantities(["3920m", "4"]).total).toBe("7920m");
    expect(sumQuantities(["2", "1500m"]).total).toBe("3500m");
    expect(sumQuantities(["8Gi", "8Gi"]).total).toBe("16Gi");
    expect(sumQuantities(["16393988Ki", "16393988Ki"]).total).toBe("32787976Ki");
    expect(sumQuantities(["500Mi", "524Mi"]).total).toBe("1Gi");
  });

  it("keeps the first non-zero term's format (Quantity.Add)", () => {
    // Binary first: the largest binary suffix that divides exactly; decimal first: decimal.
    expect(sumQuantities(["1Gi", "1Ki"]).total).toBe("1048577Ki");
    expect(sumQuantities(["1Gi", "1G"]).total).toBe("2073741824");
    expect(sumQuantities(["1k", "1Ki"]).total).toBe("2024");
    expect(sumQuantities(["1k", "1k"]).total).toBe("2k");
    expect(sumQuantities(["1Ki", "1k"]).total).toBe("2024");
    expect(sumQuantities(["0", "1Gi", "1Gi"]).total).toBe("2Gi");
    expect(formatQuantity(addQuantities(parseQuantity("0"), parseQuantity("1e3")))).toBe("1e3");
  });

  it("an empty sum is 0; undefined counts as zero; garbage is skipped and counted", () => {
    expect(sumQuantities([])).toEqual({ total: "0", invalid: 0 });
    expect(sumQuantities([undefined, "2"])).toEqual({ total: "2", invalid: 0 });
    expect(sumQuantities(["2", "lots", "1"])).toEqual({ total: "3", invalid: 1 });
  });

  it("stays exact for large fleets (no float rounding)", () => {
    const many = Array.from({ length: 10_000 }, () => "123456789Ki");
    expect(sumQuantities(many).total).toBe("1234567890000Ki");
    expect(sumQuantities(Array.from({ length: 3 }, () => "0.1")).total).toBe("300m");
  });
});
