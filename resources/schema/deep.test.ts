import { describe, expect, it } from "vitest";
import { depthOf, pointerIsPruned, shallowUnknown, shallowUnknownInJSONPatch } from "./deep.js";
import type { JSONSchemaProps } from "./types.js";

const deep = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = i % 2 ? { a: v } : [v];
  return v;
};

const schema: JSONSchemaProps = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      properties: {
        items: { type: "array", items: { type: "object", properties: { name: { type: "string" } } } },
        labels: { type: "object", additionalProperties: { type: "string" } },
        free: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { known: { type: "object", properties: { x: { type: "string" } } } } },
      },
    },
  },
};

describe("depthOf (as Go's scanner counts brackets)", () => {
  it.each([
    [1, 0],
    [null, 0],
    [[], 1],
    [{}, 1],
    [{ a: [1] }, 2],
    [[[], [[[]]]], 4],
  ])("%j → %i", (v, d) => expect(depthOf(v)).toBe(d));
  it("measures 100,000 levels without recursion", () => expect(depthOf(deep(100_000))).toBe(100_000));
});

describe("shallowUnknown", () => {
  it("flattens what pruning drops, at any depth of the schema, and keeps the key", () => {
    const doc = { apiVersion: "v", kind: "K", metadata: { name: "x", odd: deep(50) }, top: deep(5000), spec: { items: [{ name: "a", extra: deep(5000) }], other: deep(3) } };
    shallowUnknown(doc, schema);
    expect(doc).toEqual({ apiVersion: "v", kind: "K", metadata: { name: "x", odd: deep(50) }, top: {}, spec: { items: [{ name: "a", extra: {} }], other: {} } });
  });
  it("keeps what the schema keeps: preserved fields, declared maps, scalars", () => {
    const doc = { spec: { free: { any: deep(30), known: { x: "s", y: deep(4) } }, labels: { a: deep(3) as string }, name: "scalar" } };
    shallowUnknown(doc, schema);
    expect(doc.spec.free.any).toEqual(deep(30));
    // Inside a preserved field, a declared property is pruned as usual.
    expect(doc.spec.free.known).toEqual({ x: "s", y: {} });
    expect(doc.spec.labels.a).toEqual(deep(3));
    expect(doc.spec.name).toBe("scalar");
  });
});

describe("JSON patch values bound for pruned locations", () => {
  it.each([
    ["/extra", true],
    ["/spec/items/0/extra", true],
    ["/spec/items/-/extra/deeper", true],
    ["/spec/items/0/name", false],
    ["/spec/free/anything/below", false],
    ["/spec/labels/a", false],
    ["/metadata/annotations", false],
    ["/spec/a~1b", true],
  ])("%s pruned: %s", (p, want) => expect(pointerIsPruned(p, schema)).toBe(want));

  it("flattens the values of add and replace there, not of test", () => {
    const ops = [
      { op: "add", path: "/extra", value: deep(10) },
      { op: "replace", path: "/spec/free/x", value: deep(10) },
      { op: "test", path: "/extra", value: deep(10) },
      { op: "add", path: "/extra2", value: "scalar" },
    ];
    shallowUnknownInJSONPatch(ops, schema);
    expect(ops.map((o) => depthOf(o.value))).toEqual([1, 10, 10, 0]);
  });
});
