/** Output forms: Table, PartialObjectMetadata(List), YAML, and an Accept nothing satisfies. */
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { both, given, n, pd, same, space, TABLE, type Json, type Space } from "../support/differential-sides.js";

async function objects(tag: string): Promise<Space> {
  const s = await space(`table-${tag}`);
  await given(s.PD, pd("alpha", { labels: { tier: "gold" } }));
  await given(s.PD, pd("beta"));
  await given(s.PD, pd("gamma"));
  return s;
}

export function tables(): void {
  describe("Table and metadata-only output", () => {
    it("Table for a get: our columns differ by design (DESIGN.md), the structure does not", async () => {
      const { PD } = await objects("get");
      const [a, b] = await both(`${PD}/alpha`, { headers: { accept: TABLE } });
      expect(a.status).toBe(200);
      expect(a.json.columnDefinitions.map((c: Json) => c.name)).toEqual(["Name", "Scheduler", "Decisions", "Age"]);
      expect(b.json.columnDefinitions.map((c: Json) => c.name)).toEqual(["Name", "Age"]);
      // The Age column is kube-apiserver's, description included.
      expect(a.json.columnDefinitions.at(-1)).toEqual(b.json.columnDefinitions.at(-1));
      same(a, b);
    });

    it("Table for a list page: list metadata (continue, remainingItemCount) and rows", async () => {
      const { PD } = await objects("page");
      const [a, b] = await both(`${PD}?limit=1`, { headers: { accept: TABLE } });
      expect(a.json.metadata.remainingItemCount).toBe(2);
      same(a, b);
    });

    it("Table includeObject=None and =Object, and meta.k8s.io/v1beta1", async () => {
      const { PD } = await objects("include");
      for (const q of ["?includeObject=None", "?includeObject=Object"]) {
        const [a, b] = await both(`${PD}${q}`, { headers: { accept: TABLE } });
        same(a, b, { what: q });
      }
      const [a, b] = await both(`${PD}/alpha`, { headers: { accept: "application/json;as=Table;v=v1beta1;g=meta.k8s.io" } });
      expect(a.json.apiVersion).toBe("meta.k8s.io/v1beta1");
      same(a, b);
    });

    it("PartialObjectMetadata for a get", async () => {
      const { PD } = await objects("partial");
      const [a, b] = await both(`${PD}/alpha`, { headers: { accept: "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io" } });
      expect(a.json.kind).toBe("PartialObjectMetadata");
      same(a, b);
    });

    it("PartialObjectMetadataList: remainingItemCount copied from the list", async () => {
      const { PD } = await objects("partial-list");
      const [a, b] = await both(`${PD}?limit=2`, { headers: { accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io" } });
      expect(a.json.kind).toBe("PartialObjectMetadataList");
      expect(a.json.metadata.remainingItemCount).toBe(1);
      same(a, b);
    });

    it("an Accept nothing can satisfy: 406", async () => {
      const { PD } = await objects("not-acceptable");
      const [a, b] = await both(`${PD}/alpha`, { headers: { accept: "application/json;as=Foo;v=v1;g=meta.k8s.io" } });
      expect(a.status).toBe(406);
      expect(b.json.message).toBe("only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf");
      same(a, b, { unless: { "media-type-list": ["body.message"] } });
    });

    it("YAML", async () => {
      const { PD } = await objects("yaml");
      const [a, b] = await both(`${PD}/alpha`, { headers: { accept: "application/yaml" } });
      expect(a.status).toBe(200);
      expect(a.contentType).toBe("application/yaml");
      expect(a.contentType).toBe(b.contentType);
      expect(n.object(parseYaml(a.body))).toEqual(n.object(parseYaml(b.body)));
      // What a YAML 1.1 reader (PyYAML, SnakeYAML) sees: kube-apiserver quotes timestamps, so they stay strings.
      expect(typeof parseYaml(b.body, { version: "1.1" }).metadata.creationTimestamp).toBe("string");
      expect(typeof parseYaml(a.body, { version: "1.1" }).metadata.creationTimestamp).toBe("string");
    });

    it("a subresource the resource does not have: 404", async () => {
      const { PD } = await objects("subresource");
      const [a, b] = await both(`${PD}/alpha/status`);
      expect(a.status).toBe(404);
      same(a, b);
    });
  });
}
