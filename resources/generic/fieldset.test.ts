import { describe, expect, it } from "vitest";
import { comparePE, deserializePE, fieldPE, keyPE, pathString, serializePE, type Path } from "./fieldpath.js";
import { FieldSet } from "./fieldset.js";

const f = (...names: string[]): Path => names.map(fieldPE);

describe("path elements", () => {
  it("serialize as FieldsV1 keys and print as conflict paths", () => {
    const key = keyPE([["type", "Ready"]]);
    expect(serializePE(fieldPE("spec"))).toBe("f:spec");
    expect(serializePE(key)).toBe('k:{"type":"Ready"}');
    expect(serializePE({ value: "a&b" })).toBe('v:"a\\u0026b"');
    expect(serializePE({ index: 3 })).toBe("i:3");
    expect(pathString([fieldPE("status"), fieldPE("conditions"), key, fieldPE("status")])).toBe('.status.conditions[type="Ready"].status');
    expect(pathString([fieldPE("metadata"), fieldPE("finalizers"), { value: "x" }])).toBe('.metadata.finalizers[="x"]');
  });

  it("sort key fields by name and parse back", () => {
    const pe = keyPE([["z", 1], ["a", "x"]]);
    expect(serializePE(pe)).toBe('k:{"a":"x","z":1}');
    expect(deserializePE('k:{"z":1,"a":"x"}')).toEqual(pe);
    expect(deserializePE("x:unknown")).toBeUndefined();
    expect(() => deserializePE("k:{oops")).toThrow();
  });

  it("order fields before keys before values before indices", () => {
    const pes = [{ index: 0 }, { value: "v" }, keyPE([["k", "a"]]), fieldPE("b"), fieldPE("a")];
    expect(pes.sort(comparePE).map(serializePE)).toEqual(["f:a", "f:b", 'k:{"k":"a"}', 'v:"v"', "i:0"]);
  });
});

describe("FieldSet", () => {
  it("writes FieldsV1 with '.' for members that have children, in element order", () => {
    const s = FieldSet.of(f("spec"), f("spec", "displayName"), f("metadata", "labels", "b"), f("metadata", "labels", "a"));
    expect(JSON.stringify(s.toFieldsV1())).toBe('{"f:metadata":{"f:labels":{"f:a":{},"f:b":{}}},"f:spec":{".":{},"f:displayName":{}}}');
  });

  it("reads FieldsV1 back to the same set, skipping unknown element kinds", () => {
    const v1 = { "f:spec": { ".": {}, "f:x": {} }, "f:status": { 'k:{"type":"A"}': { ".": {}, "f:type": {} } }, "z:future": {} };
    const s = FieldSet.fromFieldsV1(v1);
    expect(s.has(f("spec"))).toBe(true);
    expect(s.has(f("spec", "x"))).toBe(true);
    expect(s.has(f("status"))).toBe(false);
    expect(s.has([fieldPE("status"), keyPE([["type", "A"]])])).toBe(true);
    expect(s.toFieldsV1()).toEqual({ "f:spec": { ".": {}, "f:x": {} }, "f:status": { 'k:{"type":"A"}': { ".": {}, "f:type": {} } } });
    expect(() => FieldSet.fromFieldsV1({ "f:a": "x" })).toThrow();
  });

  it("difference is path by path, recursiveDifference takes subtrees", () => {
    const s = FieldSet.of(f("status"), f("status", "a"), f("spec", "b"));
    const status = FieldSet.of(f("status"));
    expect(s.difference(status).paths().map(pathString)).toEqual([".spec.b", ".status.a"]);
    expect(s.recursiveDifference(status).paths().map(pathString)).toEqual([".spec.b"]);
  });

  it("unions, intersects and compares", () => {
    const a = FieldSet.of(f("x"), f("y", "z"));
    const b = FieldSet.of(f("y", "z"), f("w"));
    expect(a.union(b).paths().map(pathString)).toEqual([".w", ".x", ".y.z"]);
    expect(a.intersection(b).paths().map(pathString)).toEqual([".y.z"]);
    expect(a.intersection(FieldSet.of(f("q"))).isEmpty()).toBe(true);
    expect(a.equals(FieldSet.of(f("y", "z"), f("x")))).toBe(true);
    expect(a.equals(b)).toBe(false);
  });
});
