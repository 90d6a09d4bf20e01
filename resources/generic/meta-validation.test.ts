import { describe, expect, it } from "vitest";
import { validateObjectMeta } from "./meta-validation.js";

describe("validateObjectMeta", () => {
  it("accepts good metadata", () => {
    expect(validateObjectMeta({ metadata: { name: "a.b-c", labels: { "x.io/k": "v_1", k: "" }, annotations: { "a/b": "anything goes" }, finalizers: ["x.io/f"] } })).toEqual([]);
  });
  it("rejects bad names, labels and finalizers with kube-apiserver's words", () => {
    const causes = validateObjectMeta({ metadata: { name: "Bad_Name", labels: { "-k": "v", ok: "bad value!" }, finalizers: ["a/b/c"] } });
    expect(causes.map((c) => c.field)).toEqual(["metadata.name", "metadata.labels", "metadata.labels", "metadata.finalizers[0]"]);
    expect(causes[0]!.message).toMatch(/^Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  });
});
