import { isCelError, parse, plan } from "@bufbuild/cel";
import { describe, expect, it } from "vitest";
import { ENV } from "./env.js";

const ev = (src: string, self?: unknown) => {
  const r = plan(ENV, parse(src))(self === undefined ? {} : { self } as never);
  return isCelError(r) ? `error: ${r.message}` : r;
};
const errors = (format: string, s: string) => ev(`${format}.validate(self).orValue([])`, s);

describe("format library", () => {
  it("validate is none for a valid value, a list of apimachinery's messages otherwise", () => {
    expect(ev("format.labelValue().validate(self).hasValue()", "ok-value")).toBe(false);
    expect(ev("!format.labelValue().validate(self).hasValue()", "-bad")).toBe(false);
    expect([...(errors("format.labelValue()", "-bad") as Iterable<string>)]).toEqual([
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
    expect(ev("format.labelValue().validate(self).value()[0].startsWith('must be no more than 63')", "a".repeat(64))).toBe(true);
  });

  it("has kube's named formats", () => {
    const cases: [string, string, boolean][] = [
      ["dns1123Label", "my-name", true],
      ["dns1123Label", "My_Name", false],
      ["dns1123Subdomain", "a.b.c", true],
      ["dns1035Label", "1abc", false],
      ["qualifiedName", "example.com/name", true],
      ["qualifiedName", "/name", false],
      ["dns1123LabelPrefix", "gen-", true],
      ["uri", "https://x/y", true],
      ["uri", "nope", false],
      ["uuid", "123e4567-e89b-12d3-a456-426614174000", true],
      ["uuid", "123", false],
      ["byte", "aGVsbG8=", true],
      ["date", "2021-02-28", true],
      ["date", "2021-02-30", false],
      ["datetime", "2021-01-01T00:00:00Z", true],
      ["datetime", "2021-01-01", false],
    ];
    for (const [name, value, valid] of cases) expect([name, value, ev(`format.${name}().validate(self).hasValue()`, value)]).toEqual([name, value, !valid]);
    expect([...(errors("format.uuid()", "x") as Iterable<string>)]).toEqual(["does not match the UUID format"]);
  });

  it("format.named gives an optional Format", () => {
    expect(ev("format.named('dns1123Label').value().validate('ok').hasValue()")).toBe(false);
    expect(ev("format.named('nope').hasValue()")).toBe(false);
    expect(ev("format.named('nope').value()")).toBe("error: optional.none() dereference");
  });
});
