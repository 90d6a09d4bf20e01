import { describe, expect, it } from "vitest";
import type { JSONSchemaProps } from "../types.js";
import { validateRules } from "./validate.js";

// Upstream-style rules, as newer Cluster Inventory CRDs carry them: rules are data.
const schema: JSONSchemaProps = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      properties: {
        clusterManager: { type: "object", properties: { name: { type: "string" } }, "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "ClusterManager is immutable" }] },
        endpoint: { type: "string", "x-kubernetes-validations": [{ rule: "isURL(self) && url(self).getHost() != ''", message: "must be an absolute URL with a host" }] },
        owner: { type: "string", "x-kubernetes-validations": [{ rule: "!format.labelValue().validate(self).hasValue()", messageExpression: "'owner: ' + format.labelValue().validate(self).value().join('; ')" }] },
        tags: {
          type: "array",
          items: { type: "string" },
          "x-kubernetes-validations": [
            { rule: "self.size() <= 2", reason: "FieldValueForbidden", message: "at most 2 tags" },
            { rule: "self.all(x, x.size() <= 5)", message: "tags are short" },
          ],
        },
        clusterSetRef: { type: "string", "x-kubernetes-validations": [{ rule: "oldSelf == null || self == oldSelf", optionalOldSelf: true, message: "set once" }] },
        properties: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          items: {
            type: "object",
            properties: { name: { type: "string" }, value: { type: "string" } },
            "x-kubernetes-validations": [
              { rule: "self.value == oldSelf.value", message: "value is immutable", fieldPath: ".value" },
              { rule: "self.value.size() > 0", reason: "FieldValueRequired", message: "value is required", fieldPath: ".value" },
            ],
          },
        },
        limits: { type: "object", additionalProperties: { type: "string", "x-kubernetes-validations": [{ rule: "isQuantity(self)", message: "must be a quantity" }] } },
        replicas: { type: "integer", "x-kubernetes-validations": [{ rule: "self / 0 == 1" }] },
      },
    },
  },
};

const good = { apiVersion: "g/v1", kind: "K", metadata: { name: "x" }, spec: { clusterManager: { name: "m" }, endpoint: "https://h", owner: "team-a", tags: ["a"], properties: [{ name: "p", value: "1" }], limits: { cpu: "2" } } };
const clone = <T>(v: T): T => structuredClone(v);

describe("validateRules", () => {
  it("a valid object passes on create and on update", () => {
    expect(validateRules(good, undefined, schema)).toEqual({ causes: [], warnings: [] });
    expect(validateRules(clone(good), good, schema)).toEqual({ causes: [], warnings: [] });
  });

  it("reports each failed rule as kube does: reason, message, messageExpression, fieldPath, value shown for scalars", () => {
    const bad = clone(good);
    Object.assign(bad.spec, { endpoint: "/path", owner: "-x", tags: ["a", "b", "toolong"], properties: [{ name: "p", value: "" }], limits: { cpu: "lots" } });
    expect(validateRules(bad, undefined, schema).causes).toEqual([
      { type: "FieldValueInvalid", field: "spec.endpoint", message: 'Invalid value: "/path": must be an absolute URL with a host' },
      { type: "FieldValueInvalid", field: "spec.owner", message: expect.stringMatching(/^Invalid value: "-x": owner: a valid label must be/) },
      { type: "FieldValueForbidden", field: "spec.tags", message: "Forbidden: at most 2 tags" },
      { type: "FieldValueInvalid", field: "spec.tags", message: "Invalid value: tags are short" },
      { type: "FieldValueRequired", field: "spec.properties[0].value", message: "Required value: value is required" },
      { type: "FieldValueInvalid", field: "spec.limits[cpu]", message: 'Invalid value: "lots": must be a quantity' },
    ]);
  });

  it("a rule without message says `failed rule`; an evaluation error names the rule and the schema type", () => {
    const s: JSONSchemaProps = { type: "object", properties: { n: { type: "integer", "x-kubernetes-validations": [{ rule: "self < 3" }, { rule: "self / 0 == 1" }] } } };
    expect(validateRules({ n: 5 }, undefined, s).causes).toEqual([
      { type: "FieldValueInvalid", field: "n", message: "Invalid value: 5: failed rule: self < 3" },
      { type: "FieldValueInvalid", field: "n", message: 'Invalid value: "integer": int divide by zero evaluating rule: self / 0 == 1' },
    ]);
    const missing: JSONSchemaProps = { type: "object", properties: { o: { type: "object", properties: { a: { type: "string" } }, "x-kubernetes-validations": [{ rule: "self.a == 'x'" }] } } };
    expect(validateRules({ o: {} }, undefined, missing).causes[0]!.message).toBe('Invalid value: "object": no such key: a evaluating rule: self.a == \'x\'');
  });

  it("Duplicate reports the value", () => {
    const s: JSONSchemaProps = { type: "object", properties: { a: { type: "string", "x-kubernetes-validations": [{ rule: "false", reason: "FieldValueDuplicate" }] } } };
    expect(validateRules({ a: "v" }, undefined, s).causes).toEqual([{ type: "FieldValueDuplicate", field: "a", message: 'Duplicate value: "v"' }]);
  });

  it("transition rules run only where the old value correlates", () => {
    const changed = clone(good);
    changed.spec.clusterManager.name = "other";
    changed.spec.properties = [{ name: "q", value: "2" }, { name: "p", value: "9" }];
    expect(validateRules(changed, good, schema).causes).toEqual([
      { type: "FieldValueInvalid", field: "spec.clusterManager", message: "Invalid value: ClusterManager is immutable" },
      // Map-list items correlate by key: "q" is new, "p" moved to index 1 and changed. The value shown is the
      // rule's `self` (an object: left out), not the fieldPath's.
      { type: "FieldValueInvalid", field: "spec.properties[1].value", message: "Invalid value: value is immutable" },
    ]);
    const noManager = clone(good) as { spec: Record<string, unknown> };
    delete noManager.spec.clusterManager;
    expect(validateRules(good, noManager, schema).causes).toEqual([]);
  });

  it("optionalOldSelf rules also run on create, with oldSelf an optional", () => {
    const s: JSONSchemaProps = { type: "object", properties: { r: { type: "string", "x-kubernetes-validations": [{ rule: "!oldSelf.hasValue() || self == oldSelf.value()", optionalOldSelf: true, message: "set once" }] } } };
    expect(validateRules({ r: "a" }, undefined, s).causes).toEqual([]);
    expect(validateRules({ r: "a" }, {}, s).causes).toEqual([]);
    expect(validateRules({ r: "b" }, { r: "a" }, s).causes).toEqual([{ type: "FieldValueInvalid", field: "r", message: 'Invalid value: "b": set once' }]);
  });

  it("ratchets: an unchanged value that fails a rule is a warning on update, an error on create or once changed", () => {
    const old = clone(good);
    old.spec.endpoint = "not a url";
    expect(validateRules(clone(old), old, schema)).toEqual({ causes: [], warnings: ['spec.endpoint: Invalid value: "not a url": must be an absolute URL with a host'] });
    expect(validateRules(clone(old), undefined, schema).causes).toHaveLength(1);
    const changed = clone(old);
    changed.spec.endpoint = "still not";
    expect(validateRules(changed, old, schema).causes.map((c) => c.field)).toEqual(["spec.endpoint"]);
    // Atomic list items do not correlate: they ratchet with their list.
    const tags = clone(good);
    tags.spec.tags = ["toolong"];
    const tagsChanged = clone(tags);
    tagsChanged.spec.tags = ["toolong", "x"];
    expect(validateRules(clone(tags), tags, schema).causes).toEqual([]);
    expect(validateRules(tagsChanged, tags, schema).causes.map((c) => c.field)).toEqual(["spec.tags"]);
  });

  it("stops with kube's budget error once the time budget is spent", () => {
    const r = validateRules(good, undefined, schema, -1);
    // The transition rule on clusterManager does not run on create; the first rule that would run reports it.
    expect(r.causes).toEqual([{ type: "FieldValueInvalid", field: "spec.endpoint", message: 'Invalid value: "string": validation failed due to running out of cost budget, no further validation rules will be run' }]);
  });
});
