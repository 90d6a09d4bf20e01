import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { clusterProfiles, descriptors, placementDecisions, works } from "./descriptors.js";
import { getSchema, invalidMessage, KINDS, validate, validatorFor, type FieldCause, type Kind } from "./validation.js";
import { goNumber, goQuote, goSharpV } from "./schema/go-format.js";
import { isDateTime } from "./schema/formats.js";
import { ajvErrorsToCauses } from "./schema/ajv-errors.js";
import { compileSchema } from "./schema/ajv-schema.js";
import { validateListTypes } from "./schema/list-types.js";
import { pruneNulls } from "./schema/prune.js";
import type { JSONSchemaProps } from "./schema/types.js";

// Shaped after kubernetes-sigs/cluster-inventory-api examples/cluster-manager-example/clusterprofile.yaml.
const profileExample = parse(`
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ClusterProfile
metadata:
  name: cluster-us-west-1
  namespace: cluster-inventory
  labels:
    x-k8s.io/cluster-manager: my-fleet-manager
spec:
  displayName: "US West 1 Production Cluster"
  clusterManager:
    name: my-fleet-manager
`);

// What we publish for a joined member: every status field in use.
const profileWithStatus = parse(`
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ClusterProfile
metadata: {name: m1, namespace: fleet}
spec: {displayName: m1, clusterManager: {name: clusterset-apiserver}}
status:
  version: {kubernetes: v1.30.2}
  conditions:
  - {type: ControlPlaneHealthy, status: "True", reason: Ready, message: "", lastTransitionTime: "2024-05-01T10:00:00Z", observedGeneration: 1}
  - {type: Joined, status: "True", reason: SecretValid, message: joined, lastTransitionTime: "2024-05-01T10:00:00Z"}
  properties:
  - {name: clusterset.dev/node-count, value: "3", lastObservedTime: "2024-05-01T10:00:00Z"}
  accessProviders:
  - name: clusterset-apiserver
    cluster:
      server: https://10.0.0.1:6443
      certificate-authority-data: LS0tLS1CRUdJTg==
      extensions:
      - name: client.authentication.k8s.io/exec
        extension: {clusterName: m1, anything: {nested: [1, 2]}}
`);

// Shaped after kubernetes-sigs/work-api examples/example-work.yaml.
const workExample = parse(`
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: Work
metadata: {name: test-work, namespace: default, labels: {clusterset.dev/cluster: m1}}
spec:
  workload:
    manifests:
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: test-nginx, namespace: default}
      spec:
        replicas: 2
        selector: {matchLabels: {app: test-nginx}}
        strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 50%, maxUnavailable: 50%}}
        template:
          metadata: {creationTimestamp: null, labels: {app: test-nginx}}
          spec:
            containers:
            - {image: "nginx:1.14.2", name: nginx, ports: [{containerPort: 80}], resources: {}}
    - apiVersion: v1
      kind: Service
      metadata: {labels: {run: test-nginx}, name: test-nginx, namespace: default}
      spec: {ports: [{port: 80, protocol: TCP, targetPort: 0}], selector: {run: test-nginx}}
`);

const decisionExample = parse(`
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: PlacementDecision
metadata: {name: web, namespace: fleet, labels: {multicluster.x-k8s.io/decision-key: web}}
schedulerName: my-scheduler
decisions:
- clusterProfileRef: {name: m1}
  reason: has capacity
- clusterProfileRef: {name: m2, namespace: other}
`);

const clone = <T>(x: T): T => structuredClone(x);
const fields = (causes: FieldCause[]) => causes.map((c) => c.field);
const one = (causes: FieldCause[], field: string) => causes.find((c) => c.field === field);

describe("upstream examples", () => {
  it.each([
    ["ClusterProfile", profileExample],
    ["ClusterProfile", profileWithStatus],
    ["Work", workExample],
    ["PlacementDecision", decisionExample],
  ] as [Kind, unknown][])("%s passes unchanged", (kind, obj) => {
    const r = validate(kind, obj, { fieldValidation: "Strict" });
    expect(r.badRequest).toBeUndefined();
    expect(r.causes).toEqual([]);
    expect(r.unknownFields).toEqual([]);
    expect(r.object).toEqual(obj);
  });

  it("does not touch the input", () => {
    const input = clone(profileExample);
    input.spec.extra = 1;
    validate("ClusterProfile", input);
    expect(input.spec.extra).toBe(1);
  });
});

describe("required", () => {
  it("reports a missing spec at the root", () => {
    const obj = clone(profileExample);
    delete obj.spec;
    // ClusterProfile has CEL rules: after a blocking error kube-apiserver skips them and says so.
    expect(validate("ClusterProfile", obj).causes).toEqual([{ type: "FieldValueRequired", field: "spec", message: "Required value" }, { type: "FieldValueInvalid", field: "<nil>", message: "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation" }]);
  });

  it("reports each missing field of a nested object and of list items", () => {
    const obj = clone(profileWithStatus);
    delete obj.spec.clusterManager.name;
    delete obj.status.conditions[1].reason;
    delete obj.status.conditions[1].lastTransitionTime;
    const causes = validate("ClusterProfile", obj).causes;
    expect(fields(causes).sort()).toEqual([
      "<nil>",
      "spec.clusterManager.name",
      "status.conditions[1].lastTransitionTime",
      "status.conditions[1].reason",
    ]);
    expect(causes.filter((c) => c.field !== "<nil>").every((c) => c.type === "FieldValueRequired" && c.message === "Required value")).toBe(true);
  });

  it("treats null as unset for non-nullable fields", () => {
    const obj = clone(decisionExample);
    obj.decisions = null;
    obj.schedulerName = null;
    const r = validate("PlacementDecision", obj);
    expect(r.object).not.toHaveProperty("schedulerName");
    expect(r.causes).toEqual([{ type: "FieldValueRequired", field: "decisions", message: "Required value" }]);
  });
});

describe("types", () => {
  it("words a type error like kube-openapi", () => {
    const obj = clone(profileExample);
    obj.spec.displayName = 5;
    expect(validate("ClusterProfile", obj).causes).toEqual([
      {
        type: "FieldValueTypeInvalid",
        field: "spec.displayName",
        message: 'Invalid value: "integer": spec.displayName in body must be of type string: "integer"',
      },
      { type: "FieldValueInvalid", field: "<nil>", message: "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation" },
    ]);
  });

  it("names non-integral numbers, arrays, objects and nulls in lists", () => {
    const obj = clone(profileWithStatus);
    obj.status.conditions[0].observedGeneration = 1.5;
    obj.status.version = ["v1"];
    obj.status.properties.push(null);
    const causes = validate("ClusterProfile", obj).causes;
    expect(one(causes, "status.conditions[0].observedGeneration")?.message).toBe(
      'Invalid value: "number": status.conditions[0].observedGeneration in body must be of type integer: "number"',
    );
    expect(one(causes, "status.version")?.message).toBe('Invalid value: "array": status.version in body must be of type object: "array"');
    expect(one(causes, "status.properties[1]")?.message).toBe('Invalid value: "null": status.properties[1] in body must be of type object: "null"');
  });

  it("checks format date-time as a type", () => {
    const obj = clone(profileWithStatus);
    obj.status.conditions[0].lastTransitionTime = "yesterday";
    expect(one(validate("ClusterProfile", obj).causes, "status.conditions[0].lastTransitionTime")).toEqual({
      type: "FieldValueTypeInvalid",
      field: "status.conditions[0].lastTransitionTime",
      message: 'Invalid value: "yesterday": status.conditions[0].lastTransitionTime in body must be of type date-time: "yesterday"',
    });
  });

  it("accepts the date-time forms kube-openapi accepts", () => {
    expect(["2024-01-01T00:00:00Z", "2024-01-01t00:00:00.123+02:00", "2024-12-31T23:59:59z"].every(isDateTime)).toBe(true);
    expect(["2024-01-01", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00Z"].some(isDateTime)).toBe(false);
  });
});

describe("value constraints", () => {
  it("enum: Unsupported value with the supported list", () => {
    const obj = clone(profileWithStatus);
    obj.status.conditions[0].status = "Maybe";
    expect(one(validate("ClusterProfile", obj).causes, "status.conditions[0].status")).toEqual({
      type: "FieldValueNotSupported",
      field: "status.conditions[0].status",
      message: 'Unsupported value: "Maybe": supported values: "True", "False", "Unknown"',
    });
  });

  it("maxLength: Too long, without echoing the value", () => {
    const obj = clone(profileWithStatus);
    obj.status.properties[0].value = "v".repeat(1025);
    expect(one(validate("ClusterProfile", obj).causes, "status.properties[0].value")).toEqual({
      type: "FieldValueTooLong",
      field: "status.properties[0].value",
      message: "Too long: may not be longer than 1024",
    });
  });

  it("counts maxLength in characters, not UTF-16 units", () => {
    const obj = clone(profileWithStatus);
    obj.status.properties[0].value = "😀".repeat(1024);
    expect(validate("ClusterProfile", obj).causes).toEqual([]);
  });

  it("minLength, pattern and minimum: Invalid with the value", () => {
    const obj = clone(profileWithStatus);
    obj.status.properties[0].name = "";
    obj.status.conditions[0].reason = "not camel";
    obj.status.conditions[0].observedGeneration = -1;
    const causes = validate("ClusterProfile", obj).causes;
    expect(one(causes, "status.properties[0].name")?.message).toBe(
      'Invalid value: "": status.properties[0].name in body should be at least 1 chars long',
    );
    expect(one(causes, "status.conditions[0].reason")?.message).toBe(
      `Invalid value: "not camel": status.conditions[0].reason in body should match '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$'`,
    );
    expect(one(causes, "status.conditions[0].observedGeneration")?.message).toBe(
      "Invalid value: -1: status.conditions[0].observedGeneration in body should be greater than or equal to 0",
    );
    expect(causes.every((c) => c.type === "FieldValueInvalid")).toBe(true);
  });

  it("maxItems: Too many with the count", () => {
    const obj = clone(decisionExample);
    obj.decisions = Array.from({ length: 101 }, (_, i) => ({ clusterProfileRef: { name: `c${i}` } }));
    expect(validate("PlacementDecision", obj).causes).toEqual([
      { type: "FieldValueTooMany", field: "decisions", message: "Too many: 101: must have at most 100 items" },
    ]);
  });

  it("list-type map: the second item with the same key is a Duplicate", () => {
    const obj = clone(profileWithStatus);
    obj.status.conditions.push(clone(obj.status.conditions[0]), clone(obj.status.conditions[0]));
    expect(validate("ClusterProfile", obj).causes).toEqual([
      {
        type: "FieldValueDuplicate",
        field: "status.conditions[2]",
        message: 'Duplicate value: {"type":"ControlPlaneHealthy"}',
      },
    ]);
  });
});

describe("unknown fields", () => {
  const withUnknown = () => {
    const obj = clone(profileWithStatus);
    obj.spec.color = "blue";
    obj.metadata.colour = "blue";
    obj.status.conditions[0].extra = true;
    obj.topLevel = 1;
    return obj;
  };
  const expected = ["metadata.colour", "spec.color", "status.conditions[0].extra", "topLevel"];

  it("are pruned and reported, sorted", () => {
    const r = validate("ClusterProfile", withUnknown(), { fieldValidation: "Ignore" });
    expect(r.unknownFields).toEqual(expected);
    expect(r.object).toEqual(profileWithStatus);
    expect(r.warnings).toEqual([]);
    expect(r.badRequest).toBeUndefined();
    expect(r.causes).toEqual([]);
  });

  it("Warn: one warning per field", () => {
    expect(validate("ClusterProfile", withUnknown()).warnings).toEqual(expected.map((f) => `unknown field "${f}"`));
  });

  it("Strict: 400 strict decoding error", () => {
    const r = validate("ClusterProfile", withUnknown(), { fieldValidation: "Strict" });
    expect(r.badRequest).toBe(`strict decoding error: ${expected.map((f) => `unknown field "${f}"`).join(", ")}`);
  });

  it("are kept under x-kubernetes-preserve-unknown-fields", () => {
    const r = validate("ClusterProfile", profileWithStatus, { fieldValidation: "Strict" });
    expect(r.object.status).toEqual(profileWithStatus.status);
  });

  it("inside embedded resources: content kept, metadata pruned like ObjectMeta", () => {
    const obj = clone(workExample);
    obj.spec.workload.manifests[0].metadata.bogus = 1;
    obj.spec.workload.manifests[0].spec.anything = { goes: true };
    const r = validate("Work", obj);
    expect(r.unknownFields).toEqual(["spec.workload.manifests[0].metadata.bogus"]);
    expect(r.object.spec).toMatchObject({ workload: { manifests: [{ spec: { anything: { goes: true } } }, {}] } });
    // metadata.creationTimestamp: null inside a pod template is not ObjectMeta of the manifest: kept.
    expect((r.object as any).spec.workload.manifests[0].spec.template.metadata.creationTimestamp).toBeNull();
  });
});

describe("embedded resources (Work manifests)", () => {
  it("need apiVersion and kind", () => {
    const obj = clone(workExample);
    delete obj.spec.workload.manifests[1].kind;
    delete obj.spec.workload.manifests[1].apiVersion;
    expect(validate("Work", obj).causes).toEqual([
      { type: "FieldValueRequired", field: "spec.workload.manifests[1].apiVersion", message: "Required value" },
      { type: "FieldValueRequired", field: "spec.workload.manifests[1].kind", message: "Required value" },
    ]);
  });

  it("check their metadata like an object's", () => {
    const obj = clone(workExample);
    obj.spec.workload.manifests[0].metadata.labels = { "bad key!": "v" };
    obj.spec.workload.manifests[1].metadata.name = "a/b";
    const causes = validate("Work", obj).causes;
    expect(fields(causes)).toEqual(["spec.workload.manifests[0].metadata.labels", "spec.workload.manifests[1].metadata.name"]);
    expect(causes[1]!.message).toBe(`Invalid value: "a/b": may not contain '/'`);
  });

  it("refuse metadata that does not decode into ObjectMeta", () => {
    const obj = clone(workExample);
    obj.spec.workload.manifests[0].metadata.labels = { a: 1 };
    const causes = validate("Work", obj).causes;
    expect(causes).toHaveLength(1);
    expect(causes[0]!.field).toBe("spec.workload.manifests[0].metadata");
    expect(causes[0]!.message).toContain("json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string");
  });
});

describe("type and object meta", () => {
  it("apiVersion and kind must be the resource's", () => {
    const obj = clone(profileExample);
    obj.kind = "Work";
    expect(validate("ClusterProfile", obj).causes).toEqual([
      { type: "FieldValueInvalid", field: "kind", message: 'Invalid value: "Work": must be ClusterProfile' },
    ]);
  });

  it("name is a DNS subdomain, namespace required", () => {
    const obj = clone(profileExample);
    obj.metadata.name = "Not_OK";
    delete obj.metadata.namespace;
    const causes = validate("ClusterProfile", obj).causes;
    expect(fields(causes)).toEqual(["metadata.name", "metadata.namespace", "<nil>"]);
    expect(causes[0]!.message).toMatch(/^Invalid value: "Not_OK": a lowercase RFC 1123 subdomain must consist of/);
  });

  it("metadata of the wrong type is a 400", () => {
    const obj = clone(profileExample);
    obj.metadata.labels = "x";
    expect(validate("ClusterProfile", obj).badRequest).toBe(
      "json: cannot unmarshal string into Go struct field ObjectMeta.labels of type map[string]string",
    );
  });

  it("can be left to the caller", () => {
    const obj = clone(profileExample);
    obj.metadata.name = "Not_OK";
    expect(validate("ClusterProfile", obj, { objectMeta: false }).causes).toEqual([]);
  });
});

describe("transition rules", () => {
  it("spec.clusterManager is immutable on update", () => {
    const old = clone(profileExample);
    const obj = clone(profileExample);
    obj.spec.clusterManager.name = "other";
    expect(validate("ClusterProfile", obj, { oldObject: old }).causes).toEqual([
      { type: "FieldValueInvalid", field: "spec.clusterManager", message: "Invalid value: ClusterManager is immutable" },
    ]);
    expect(validate("ClusterProfile", obj).causes).toEqual([]);
    expect(validate("ClusterProfile", clone(old), { oldObject: old }).causes).toEqual([]);
  });

  it("an unchanged ClusterManager passes (and ratchets nothing)", () => {
    const old = clone(profileExample);
    const r = validate("ClusterProfile", clone(old), { oldObject: old });
    expect(r.causes).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});

describe("validatorFor", () => {
  it("prunes in place and checks object meta", () => {
    const obj = clone(profileExample);
    obj.spec.junk = 1;
    obj.metadata.name = "Not_OK";
    const r = validatorFor("ClusterProfile")(obj);
    expect(r.unknownFields).toEqual(["spec.junk"]);
    expect(r.causes.map((c) => c.field)).toEqual(["metadata.name"]);
    expect(r.causes[0]!.message).toMatch(/^Invalid value: "Not_OK": a lowercase RFC 1123 subdomain/);
    expect(obj.spec).not.toHaveProperty("junk");
  });

  it("checks transition rules when given the old object", () => {
    const obj = clone(profileExample);
    obj.spec.clusterManager.name = "other";
    expect(fields(validatorFor("ClusterProfile")(obj, clone(profileExample)).causes)).toEqual(["spec.clusterManager"]);
  });

  it("throws for kinds it does not know", () => {
    expect(() => validatorFor("Pod")).toThrow(/no schema/);
  });
});

describe("descriptors", () => {
  it("come from the CRDs, with category multicluster", () => {
    expect(clusterProfiles).toMatchObject({ kind: "ClusterProfile", listKind: "ClusterProfileList", plural: "clusterprofiles", singular: "clusterprofile", namespaced: true, subresources: ["status"] });
    expect(works).toMatchObject({ kind: "Work", listKind: "WorkList", plural: "works", singular: "work", subresources: ["status"] });
    expect(placementDecisions).toMatchObject({ kind: "PlacementDecision", plural: "placementdecisions", subresources: [] });
    for (const d of descriptors) {
      expect(d.group).toBe("multicluster.x-k8s.io");
      expect(d.version).toBe("v1alpha1");
      expect(d.categories).toContain("multicluster");
      expect(d.schema.type).toBe("object");
    }
  });
});

describe("messages", () => {
  it("Invalid Status message, one or several causes", () => {
    const c = (field: string): FieldCause => ({ type: "FieldValueRequired", field, message: "Required value" });
    expect(invalidMessage("Work", "multicluster.x-k8s.io", "w", [c("spec")])).toBe('Work.multicluster.x-k8s.io "w" is invalid: spec: Required value');
    expect(invalidMessage("Work", "multicluster.x-k8s.io", "w", [c("a"), c("b"), c("a")])).toBe(
      'Work.multicluster.x-k8s.io "w" is invalid: [a: Required value, b: Required value]',
    );
  });

  it("Go value formatting", () => {
    expect(goQuote('a"b\\c\n\u0001é')).toBe('"a\\"b\\\\c\\n\\x01é"');
    expect([1, -1, 1.5, 1e21, 0.00001].map(goNumber)).toEqual(["1", "-1", "1.5", "1e+21", "1e-05"]);
    expect(goSharpV({ b: [1, "x"], a: null })).toBe('map[string]interface {}{"a":interface {}(nil), "b":[]interface {}{1, "x"}}');
  });
});

// The served CRDs use none of these; other CRDs (or a refreshed upstream) may.
describe("schema extensions on a synthetic schema", () => {
  const schema: JSONSchemaProps = {
    type: "object",
    properties: {
      port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
      note: { type: "string", nullable: true },
      size: { type: "integer", format: "int32", maximum: 10, exclusiveMaximum: true },
      tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
      pairs: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["a", "b"],
        items: { type: "object", properties: { a: { type: "string" }, b: { type: "integer" } } },
      },
      free: { type: "object", additionalProperties: { type: "string" } },
    },
  };
  const check = (obj: Record<string, unknown>) => {
    const copy = structuredClone(obj);
    pruneNulls(copy, schema);
    const validator = compileSchema(schema);
    validator(copy);
    return { obj: copy, causes: [...ajvErrorsToCauses(validator.errors, copy), ...validateListTypes(copy, schema)] };
  };

  it("int-or-string takes both and names both in a type error", () => {
    expect(check({ port: 80 }).causes).toEqual([]);
    expect(check({ port: "http" }).causes).toEqual([]);
    expect(check({ port: true }).causes[0]).toEqual({
      type: "FieldValueTypeInvalid",
      field: "port",
      message: 'Invalid value: "boolean": port in body must be of type integer,string: "boolean"',
    });
  });

  it("nullable keeps null; int32 is a hint; exclusiveMaximum is strict", () => {
    const r = check({ note: null, size: 10 });
    expect(r.obj).toEqual({ note: null, size: 10 });
    expect(r.causes).toEqual([{ type: "FieldValueInvalid", field: "size", message: "Invalid value: 10: size in body should be less than 10" }]);
    expect(check({ size: 2 ** 40 * -1 }).causes).toEqual([]);
  });

  it("list-type set and multi-key map report the second appearance", () => {
    const r = check({ tags: ["a", "b", "a", "a"], pairs: [{ a: "x", b: 1 }, { a: "x", b: 2 }, { b: 1, a: "x" }] });
    expect(r.causes).toEqual([
      { type: "FieldValueDuplicate", field: "tags[2]", message: 'Duplicate value: "a"' },
      { type: "FieldValueDuplicate", field: "pairs[2]", message: 'Duplicate value: {"a":"x","b":1}' },
    ]);
  });

  it("map values are named with a dot in schema errors", () => {
    expect(check({ free: { "k.io/x": 1 } }).causes[0]?.message).toBe(
      'Invalid value: "integer": free.k.io/x in body must be of type string: "integer"',
    );
  });
});
