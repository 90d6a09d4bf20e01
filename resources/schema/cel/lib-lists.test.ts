import { isCelError, parse, plan } from "@bufbuild/cel";
import { describe, expect, it } from "vitest";
import { ENV } from "./env.js";

const ev = (src: string) => {
  const r = plan(ENV, parse(src))({});
  return isCelError(r) ? `error: ${r.message}` : r;
};

describe("lists library", () => {
  it("isSorted, sum, min, max, indexOf, lastIndexOf", () => {
    expect(ev("[1, 2, 2, 3].isSorted()")).toBe(true);
    expect(ev("['b', 'a'].isSorted()")).toBe(false);
    expect(ev("[1, 2, 3].sum()")).toBe(6n);
    expect(ev("[1.5, 2.0].sum()")).toBe(3.5);
    expect(ev("[].sum()")).toBe(0n);
    expect(ev("[3, 1, 2].min()")).toBe(1n);
    expect(ev("['a', 'c', 'b'].max()")).toBe("c");
    expect(ev("[].min()")).toBe("error: min called on empty list");
    expect(ev("[1, 2, 1].indexOf(1)")).toBe(0n);
    expect(ev("[1, 2, 1].lastIndexOf(1)")).toBe(2n);
    expect(ev("[1, 2].indexOf(5)")).toBe(-1n);
    expect(ev("[9223372036854775807, 1].sum()")).toBe("error: integer overflow");
  });

  it("leaves the strings extension's indexOf for strings", () => {
    expect(ev("'abcb'.lastIndexOf('b')")).toBe(3n);
  });
});

describe("regex library", () => {
  it("find and findAll as Go's FindString and FindAllString", () => {
    expect(ev("'abc 123 de 45'.find('[0-9]+')")).toBe("123");
    expect(ev("'abc'.find('[0-9]+')")).toBe("");
    expect(ev("'abc 123 de 45'.findAll('[0-9]+') == ['123', '45']")).toBe(true);
    expect(ev("'a1b2c3'.findAll('[0-9]', 2) == ['1', '2']")).toBe(true);
    expect(ev("'abc'.findAll('b*') == ['', 'b', '']")).toBe(true);
    expect(ev("'ABC'.find('(?i)b')")).toBe("B");
    expect(String(ev("'x'.find('(')"))).toMatch(/^error: Illegal regex: /);
  });
});
