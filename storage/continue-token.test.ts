import { describe, expect, it } from "vitest";
import table from "./continue-token.cases.json" with { type: "json" };
import { decodeContinue, encodeContinue } from "./continue-token.js";
import { StorageError } from "./interface.js";

type Case = { token: string; err?: string; key?: string; rv?: string };
const prefix = "/registry/x/";
const decoded = (token: string) => {
  try {
    return decodeContinue(prefix, token);
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).code).toBe("InvalidContinue");
    return (e as Error).message;
  }
};
const b64 = (s: string) => Buffer.from(s, "latin1").toString("base64url");

describe("continue tokens decoded as kube-apiserver 1.37 decodes them", () => {
  // Each case is storage.DecodeContinue's own answer (continue-token.cases.json says how it was made).
  const cases = table.cases as Case[];
  it("has cases of every kind", () => {
    expect(cases.filter((c) => c.err?.includes("base64")).length).toBeGreaterThan(10);
    expect(cases.filter((c) => c.err?.includes("invalid character")).length).toBeGreaterThan(20);
    expect(cases.filter((c) => c.err?.includes("cannot unmarshal")).length).toBeGreaterThan(10);
    expect(cases.filter((c) => c.key).length).toBeGreaterThan(5);
  });
  for (const c of cases) {
    it(`${JSON.stringify(c.token)} (${Buffer.from(c.token, "base64url").toString("latin1").slice(0, 60)})`, () => {
      if (c.err !== undefined) expect(decoded(c.token)).toBe(c.err);
      // A negative revision asks for the newest state.
      else expect(decoded(c.token)).toEqual({ startKey: c.key, revision: BigInt(c.rv!) < 0n ? undefined : Number(c.rv) });
    });
  }

  it("refuses nesting past Go's 10,000 levels with the scanner's words, and reads 10,000", () => {
    expect(decoded(b64("[".repeat(10_001)))).toBe("continue key is not valid: invalid character '[' exceeded max depth");
    expect(decoded(b64(`${"[".repeat(10_000)}${"]".repeat(10_000)}`))).toBe("continue key is not valid: json: cannot unmarshal array into Go value of type storage.continueToken");
    expect(decoded(b64(`${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`))).toBe("continue key is not valid: server does not recognize this encoded version ");
  });

  it("reads back what it encodes", () => {
    const token = encodeContinue(prefix, 42, `${prefix}b\u0000`);
    expect(decodeContinue(prefix, token)).toEqual({ startKey: `${prefix}b\u0000`, revision: 42 });
  });
});
