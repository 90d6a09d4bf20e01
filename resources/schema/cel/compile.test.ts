import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crdPath, loadCRD } from "../crds.js";
import type { JSONSchemaProps } from "../types.js";
import { compileRules } from "./compile.js";

const withRule = (rule: Record<string, unknown>): JSONSchemaProps => ({
  type: "object",
  properties: { spec: { type: "object", properties: { a: { type: "string" } }, "x-kubernetes-validations": [{ rule: "true", ...rule }] } },
});

describe("compileRules", () => {
  it("compiles every rule of every CRD in resources/crds", () => {
    const files = readdirSync(crdPath("")).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) for (const v of loadCRD(f).versions) expect(() => compileRules(v.schema)).not.toThrow();
  });

  it("finds the ClusterManager transition rule", () => {
    const cp = loadCRD("multicluster.x-k8s.io_clusterprofiles.yaml").versions[0]!.schema;
    const rule = compileRules(cp)!.properties.get("spec")!.properties.get("clusterManager")!.rules[0]!;
    expect(rule.usesOldSelf).toBe(true);
    expect(rule.rule.message).toBe("ClusterManager is immutable");
  });

  it("refuses at load what does not compile, naming where", () => {
    expect(() => compileRules(withRule({ rule: "self ==" }))).toThrow(/properties\[spec\]\.x-kubernetes-validations\[0\]: rule "self =="/);
    expect(() => compileRules(withRule({ rule: "self.a.noSuchFunction()" }))).toThrow(/undeclared reference to 'noSuchFunction'/);
    expect(() => compileRules(withRule({ rule: "other == self" }))).toThrow(/undeclared reference to 'other'/);
    expect(() => compileRules(withRule({ rule: "self.?a.hasValue()" }))).toThrow(/rule/);
    expect(() => compileRules(withRule({ messageExpression: "bad(" }))).toThrow(/messageExpression/);
    expect(() => compileRules(withRule({ fieldPath: ".nope" }))).toThrow(/fieldPath ".nope": does not refer to a valid field/);
    expect(() => compileRules(withRule({ optionalOldSelf: true }))).toThrow(/optionalOldSelf/);
  });

  it("knows comprehension variables and namespaced functions; caches per schema", () => {
    const s = withRule({ rule: "[1].all(x, x > 0) && format.dns1123Label().validate(self.a).hasValue() == false" });
    expect(compileRules(s)).toBe(compileRules(s));
    expect(compileRules({ type: "object", properties: { a: { type: "string" } } })).toBeUndefined();
  });
});
