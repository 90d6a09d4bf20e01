import { describe, expect, it } from "vitest";
import { requestInfo } from "./request-info.js";

const q = (s = "") => new URLSearchParams(s);
const G = "/apis/multicluster.x-k8s.io/v1alpha1";

describe("requestInfo", () => {
  it("reads a namespaced list, watch and get", () => {
    expect(requestInfo("GET", `${G}/namespaces/default/clusterprofiles`, q())).toMatchObject({
      isResourceRequest: true,
      verb: "list",
      apiGroup: "multicluster.x-k8s.io",
      apiVersion: "v1alpha1",
      namespace: "default",
      resource: "clusterprofiles",
      name: "",
    });
    expect(requestInfo("GET", `${G}/namespaces/default/clusterprofiles`, q("watch=true")).verb).toBe("watch");
    expect(requestInfo("GET", `${G}/namespaces/default/clusterprofiles`, q("watch=1")).verb).toBe("watch");
    expect(requestInfo("GET", `${G}/namespaces/default/clusterprofiles`, q("watch=false")).verb).toBe("list");
    expect(requestInfo("GET", `${G}/namespaces/ns1/works/w1`, q())).toMatchObject({ verb: "get", name: "w1", namespace: "ns1" });
  });

  it("reads subresources, cluster-wide lists and collection deletes", () => {
    expect(requestInfo("PUT", `${G}/namespaces/a/works/w/status`, q())).toMatchObject({
      verb: "update",
      resource: "works",
      name: "w",
      subresource: "status",
    });
    expect(requestInfo("GET", `${G}/works`, q())).toMatchObject({ verb: "list", namespace: "", resource: "works" });
    expect(requestInfo("DELETE", `${G}/namespaces/a/works`, q())).toMatchObject({ verb: "deletecollection" });
    expect(requestInfo("DELETE", `${G}/namespaces/a/works/x`, q())).toMatchObject({ verb: "delete", name: "x" });
    expect(requestInfo("PATCH", `${G}/namespaces/a/works/x`, q()).verb).toBe("patch");
    expect(requestInfo("POST", `${G}/namespaces/a/works`, q()).verb).toBe("create");
  });

  it("authorizes a single-name field selector as that name", () => {
    expect(requestInfo("GET", `${G}/namespaces/a/works`, q("fieldSelector=metadata.name%3Dw1")).name).toBe("w1");
    expect(requestInfo("GET", `${G}/namespaces/a/works`, q("fieldSelector=metadata.name%3Dw1,metadata.namespace%3Da")).name).toBe("");
  });

  it("reads empty segments as kube-apiserver's splitPath does: trimmed at the ends, kept inside", () => {
    // An empty namespace: all namespaces.
    expect(requestInfo("GET", `${G}/namespaces//works`, q())).toMatchObject({ isResourceRequest: true, verb: "list", namespace: "", resource: "works", name: "" });
    // A trailing slash (or several): the collection.
    expect(requestInfo("GET", `${G}/namespaces/a/works/`, q())).toMatchObject({ verb: "list", namespace: "a", resource: "works", name: "" });
    expect(requestInfo("POST", `${G}/namespaces/a/works///`, q())).toMatchObject({ verb: "create", resource: "works", name: "" });
    expect(requestInfo("GET", `//apis/multicluster.x-k8s.io/v1alpha1/namespaces/a/works/w`, q())).toMatchObject({ verb: "get", name: "w" });
    // An empty name before a subresource: the name "" (a get of it reads as a list, as in kube-apiserver).
    expect(requestInfo("GET", `${G}/namespaces/a/works//status`, q())).toMatchObject({ verb: "list", name: "", subresource: "status", parts: ["", "status"] });
    expect(requestInfo("PUT", `${G}/namespaces/a/works//status`, q())).toMatchObject({ verb: "update", name: "", subresource: "status" });
    // A long run of slashes is read in linear time.
    const started = Date.now();
    expect(requestInfo("GET", `${G}/${"/".repeat(200_000)}x${"/".repeat(200_000)}`, q()).isResourceRequest).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("reads a POST naming an object as a create (its name is the URL's, unused by the handler)", () => {
    expect(requestInfo("POST", `${G}/namespaces/a/works/..`, q())).toMatchObject({ verb: "create", name: "..", resource: "works" });
  });

  it("treats discovery and other paths as non-resource requests", () => {
    expect(requestInfo("GET", "/apis", q())).toMatchObject({ isResourceRequest: false, verb: "get", path: "/apis" });
    expect(requestInfo("GET", "/apis/multicluster.x-k8s.io", q()).isResourceRequest).toBe(false);
    expect(requestInfo("GET", "/healthz", q()).isResourceRequest).toBe(false);
    expect(requestInfo("POST", "/metrics", q()).verb).toBe("post");
    expect(requestInfo("GET", `${G}/`, q()).isResourceRequest).toBe(false);
  });
});
