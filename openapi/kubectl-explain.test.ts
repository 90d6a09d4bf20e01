/**
 * Feeds the v3 document to a real kubectl (the machine's, which the project's tests require): `kubectl explain` parses every schema it
 * reaches, so this catches documents that are valid JSON but that kubectl's kube-openapi reader rejects.
 * A throwaway HTTP server in this process serves discovery and /openapi/v3 only (kubectl reads v2 solely as
 * protobuf, which we do not produce; the hub converts our JSON v2 for it).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descriptors } from "../resources/descriptors.js";
import { buildOpenAPI } from "./index.js";

const run = promisify(execFile);

describe("kubectl explain reads our v3 document", () => {
  let server: Server;
  let url: string;
  let cacheDir: string;

  beforeAll(async () => {
    const docs = buildOpenAPI(descriptors);
    const gv = "multicluster.x-k8s.io/v1alpha1";
    const json = (o: unknown) => Buffer.from(JSON.stringify(o));
    const fixed: Record<string, Buffer> = {
      "/version": json({ major: "1", minor: "30", gitVersion: "v1.30.0" }),
      "/api": json({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] }),
      "/api/v1": json({ kind: "APIResourceList", groupVersion: "v1", resources: [] }),
      "/apis": json({
        kind: "APIGroupList",
        apiVersion: "v1",
        groups: [{ name: "multicluster.x-k8s.io", versions: [{ groupVersion: gv, version: "v1alpha1" }], preferredVersion: { groupVersion: gv, version: "v1alpha1" } }],
      }),
      [`/apis/${gv}`]: json({
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: gv,
        resources: descriptors.map((d) => ({ name: d.plural, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: ["get", "list"] })),
      }),
      "/openapi/v3": docs.v3Index,
    };
    for (const [key, doc] of docs.v3) fixed[`/openapi/v3/${key}`] = doc.body;
    server = createServer((req, res) => {
      const body = fixed[new URL(req.url ?? "/", "http://localhost").pathname];
      res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
      res.end(body ?? JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 }));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cacheDir = mkdtempSync(join(tmpdir(), "kubectl-cache-"));
  });

  afterAll(async () => {
    await new Promise((ok) => server?.close(ok));
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  const explain = async (what: string, ...flags: string[]) => {
    const { stdout } = await run("kubectl", ["--server", url, "--cache-dir", cacheDir, "explain", what, ...flags], {
      env: { ...process.env, KUBECONFIG: "/dev/null" },
    });
    return stdout;
  };

  it.each(descriptors.map((d) => d.plural))("%s --recursive", async (plural) => {
    const out = await explain(plural, "--recursive");
    expect(out).toContain("GROUP:      multicluster.x-k8s.io");
    expect(out).toContain("metadata\t<ObjectMeta>");
  });

  it("shows required fields and embedded resource properties", async () => {
    expect(await explain("clusterprofiles.spec")).toMatch(/clusterManager\t<Object> -required-/);
    expect(await explain("works.spec.workload.manifests")).toMatch(/kind\t<string> -required-/);
  });
});
