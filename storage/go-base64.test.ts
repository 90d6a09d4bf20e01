import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeRawURLBase64 } from "./go-base64.js";

describe("decodeRawURLBase64 (Go's RawURLEncoding)", () => {
  it("decodes what base64url encodes, every length", () => {
    for (let n = 0; n < 40; n++) {
      const bytes = randomBytes(n);
      expect(decodeRawURLBase64(bytes.toString("base64url"))).toEqual({ bytes });
    }
  });
  it("skips CR and LF, and does not check trailing bits", () => {
    expect(decodeRawURLBase64("YW\r\nJj")).toEqual({ bytes: Buffer.from("abc") });
    expect(decodeRawURLBase64("YR")).toEqual({ bytes: Buffer.from("a") });
  });
  it("names the first illegal byte, counting bytes of the UTF-8 input", () => {
    expect(decodeRawURLBase64("YWJj=")).toEqual({ error: "illegal base64 data at input byte 4" });
    expect(decodeRawURLBase64("ab+c")).toEqual({ error: "illegal base64 data at input byte 2" });
    expect(decodeRawURLBase64("éa/")).toEqual({ error: "illegal base64 data at input byte 0" });
    expect(decodeRawURLBase64("aé")).toEqual({ error: "illegal base64 data at input byte 1" });
    // A lone last character: where its quantum would need a second one.
    expect(decodeRawURLBase64("abcde")).toEqual({ error: "illegal base64 data at input byte 4" });
    expect(decodeRawURLBase64("abcde\n\n")).toEqual({ error: "illegal base64 data at input byte 6" });
  });
});
