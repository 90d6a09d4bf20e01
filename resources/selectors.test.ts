import { describe, expect, it } from "vitest";
import { parseFieldSelector, parseLabelSelector } from "./selectors.js";
import { StatusError } from "./errors.js";

const obj = (labels: Record<string, string>, name = "a", namespace = "ns") => ({ metadata: { name, namespace, labels } });

describe("label selectors", () => {
  const sel = (s: string) => parseLabelSelector(s)!;
  it("supports the whole grammar", () => {
    const o = obj({ env: "prod", tier: "web", n: "5" });
    expect(sel("env=prod")(o)).toBe(true);
    expect(sel("env==prod")(o)).toBe(true);
    expect(sel("env!=prod")(o)).toBe(false);
    expect(sel("env in (dev, prod)")(o)).toBe(true);
    expect(sel("env notin (dev,prod)")(o)).toBe(false);
    expect(sel("tier")(o)).toBe(true);
    expect(sel("!tier")(o)).toBe(false);
    expect(sel("!missing")(o)).toBe(true);
    expect(sel("n>4")(o)).toBe(true);
    expect(sel("n<5")(o)).toBe(false);
    expect(sel("env=prod,tier in (web),!gone")(o)).toBe(true);
    expect(sel("missing!=x")(o)).toBe(true);
    expect(sel("x.io/k=v")(obj({ "x.io/k": "v" }))).toBe(true);
    // kube-apiserver reads an empty set as the empty value.
    expect(sel("env in ()")(obj({ env: "" }))).toBe(true);
    expect(sel("env in ()")(o)).toBe(false);
  });
  it("matches everything when empty", () => {
    expect(parseLabelSelector("")).toBeUndefined();
    expect(parseLabelSelector(undefined)).toBeUndefined();
  });
  it("rejects malformed selectors with 400", () => {
    for (const bad of ["=x", "a in (", "a>b", "a=b=c", "a b", "-x=1"]) {
      try {
        parseLabelSelector(bad);
        expect.fail(`accepted ${bad}`);
      } catch (e) {
        expect(e).toBeInstanceOf(StatusError);
        expect((e as StatusError).code).toBe(400);
      }
    }
  });
});

describe("field selectors", () => {
  it("supports metadata.name and metadata.namespace", () => {
    expect(parseFieldSelector("metadata.name=a")!(obj({}))).toBe(true);
    expect(parseFieldSelector("metadata.name!=a")!(obj({}))).toBe(false);
    expect(parseFieldSelector("metadata.namespace==ns,metadata.name=a")!(obj({}))).toBe(true);
  });
  it("words unsupported fields as kube-apiserver does for custom resources", () => {
    expect(() => parseFieldSelector("spec.x=1")).toThrowError("field label not supported: spec.x");
  });
});
