import { describe, expect, it } from "vitest";
import { goJSONSyntaxError, quoteByte } from "./go-json.js";

const check = (s: string) => goJSONSyntaxError(Buffer.from(s, "latin1"));

describe("goJSONSyntaxError (encoding/json's scanner)", () => {
  it("accepts one valid value with surrounding space", () => {
    for (const ok of ["1", " -0.5e+3 ", '{"a":[1,{"b":null}],"c":"\\u00e9\\n"}', "[]", "{}", "true", '""']) expect(check(ok), ok).toBeUndefined();
  });
  it.each([
    ["", "unexpected end of JSON input"],
    ["[1", "unexpected end of JSON input"],
    ["-", "invalid character ' ' in numeric literal"],
    ["01", "invalid character '1' after top-level value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b"}', "invalid character '\"' after object key:value pair"],
    ["[1 2]", "invalid character '2' after array element"],
    ["{,}", "invalid character ',' looking for beginning of object key string"],
    ["nul", "invalid character ' ' in literal null (expecting 'l')"],
    ['"\\q"', "invalid character 'q' in string escape code"],
    ['"\\u12x4"', "invalid character 'x' in \\u hexadecimal character escape"],
    ['"\t"', "invalid character '\\t' in string literal"],
    ["1.e", "invalid character 'e' after decimal point in numeric literal"],
    ["1e+", "invalid character ' ' in exponent of numeric literal"],
    ["\u00e9", "invalid character 'é' looking for beginning of value"],
  ])("%j → %s", (input, want) => expect(check(input)).toBe(want));
  it("stops at Go's nesting limit of 10,000", () => {
    expect(check("[".repeat(10_000) + "]".repeat(10_000))).toBeUndefined();
    expect(check("[".repeat(10_001))).toBe("invalid character '[' exceeded max depth");
  });
});

describe("quoteByte (quoteChar: strconv.Quote of the byte as a rune)", () => {
  it.each([
    [0x27, "'\\''"],
    [0x22, "'\"'"],
    [0x5c, "'\\\\'"],
    [0x00, "'\\x00'"],
    [0x07, "'\\a'"],
    [0x7f, "'\\x7f'"],
    [0x80, "'\\u0080'"],
    [0xa0, "'\\u00a0'"],
    [0xad, "'\\u00ad'"],
    [0xa1, "'¡'"],
    [0xff, "'ÿ'"],
    [0x61, "'a'"],
  ])("%i → %s", (c, want) => expect(quoteByte(c)).toBe(want));
});
