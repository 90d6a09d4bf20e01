import { describe, expect, it } from "vitest";
import { listJSON, objectJSON } from "./encode.js";

describe("encode", () => {
  it("caches the text of frozen objects only", () => {
    const frozen = Object.freeze({ kind: "X", metadata: Object.freeze({ name: "a" }) });
    expect(objectJSON(frozen)).toBe(JSON.stringify(frozen));
    expect(objectJSON(frozen)).toBe(objectJSON(frozen));
    const open = { kind: "X", metadata: { name: "b" } };
    objectJSON(open);
    open.metadata.name = "c";
    expect(objectJSON(open)).toContain('"c"');
  });
  it("builds the same JSON a plain stringify would", () => {
    const list = { apiVersion: "g/v", kind: "XList", metadata: { resourceVersion: "5", continue: "t" }, items: [Object.freeze({ kind: "X", metadata: { name: "a" } }), { kind: "X", metadata: { name: "b" } }] };
    expect(JSON.parse(listJSON(list).toString())).toEqual(list);
    expect(JSON.parse(listJSON({ ...list, items: [] }).toString()).items).toEqual([]);
  });
});
