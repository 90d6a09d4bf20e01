import { isCelError, parse, plan } from "@bufbuild/cel";
import { describe, expect, it } from "vitest";
import type { JSONSchemaProps } from "../types.js";
import { ENV } from "./env.js";
import { escapeProperty } from "./escape.js";
import { toCelValue } from "./values.js";

const ev = (src: string, v: unknown, s: JSONSchemaProps, root = false) => {
  const r = plan(ENV, parse(src))({ self: toCelValue(v, s, root) } as never);
  return isCelError(r) ? `error: ${r.message}` : r;
};

describe("values by schema", () => {
  it("integer is int, number is double, whatever the JSON spelling", () => {
    expect(ev("self", 3, { type: "integer" })).toBe(3n);
    expect(ev("self", 3, { type: "number" })).toBe(3);
    expect(ev("type(self) == double", 3, { type: "number" })).toBe(true);
    expect(ev("self + 1", 3, { type: "integer" })).toBe(4n);
  });

  it("int-or-string and schemaless values go by their JSON type", () => {
    const ios: JSONSchemaProps = { "x-kubernetes-int-or-string": true };
    expect(ev("self", 80, ios)).toBe(80n);
    expect(ev("self", "80%", ios)).toBe("80%");
    const free: JSONSchemaProps = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
    expect(ev("self.a.b[0]", { a: { b: [1.5] } }, free)).toBe(1.5);
  });

  it("objects show their declared properties, escaped; maps keep their keys", () => {
    const s: JSONSchemaProps = {
      type: "object",
      properties: { "a-b": { type: "string" }, if: { type: "string" }, m: { type: "object", additionalProperties: { type: "integer" } } },
    };
    const v = { "a-b": "x", if: "y", m: { "k.1": 2 }, undeclared: 1 };
    expect(ev("self.a__dash__b + self.__if__", v, s)).toBe("xy");
    expect(ev("self.m['k.1']", v, s)).toBe(2n);
    expect(ev("has(self.undeclared)", v, s)).toBe(false);
    expect(escapeProperty("a__b.c/d")).toBe("a__underscores__b__dot__c__slash__d");
    expect(escapeProperty("has space")).toBeUndefined();
  });

  it("a resource root shows apiVersion, kind and metadata name/generateName only", () => {
    const s: JSONSchemaProps = { type: "object", properties: { metadata: { type: "object" }, spec: { type: "object", properties: {} } } };
    const v = { apiVersion: "g/v1", kind: "K", metadata: { name: "n", labels: { a: "b" } }, spec: {} };
    expect(ev("self.kind + '/' + self.metadata.name", v, s, true)).toBe("K/n");
    expect(ev("has(self.metadata.labels)", v, s, true)).toBe(false);
  });

  it("byte is bytes, date-time and date are timestamps", () => {
    expect(ev("size(self)", "aGVsbG8=", { type: "string", format: "byte" })).toBe(5n);
    expect(ev("self < timestamp('2021-01-02T00:00:00Z')", "2021-01-01T10:00:00.123456789Z", { type: "string", format: "date-time" })).toBe(true);
    expect(ev("self.getFullYear()", "2021-06-01", { type: "string", format: "date" })).toBe(2021n);
  });

  it("lists of objects; null is null", () => {
    const s: JSONSchemaProps = { type: "array", items: { type: "object", properties: { n: { type: "integer" } } } };
    expect(ev("self.all(x, x.n > 0)", [{ n: 1 }, { n: 2 }], s)).toBe(true);
    expect(ev("self == null", null, { type: "string", nullable: true })).toBe(true);
  });
});
