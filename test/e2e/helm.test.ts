/**
 * The Helm chart (issue 18 item 1): `helm lint`, and `helm template | kubectl apply --dry-run=server` on the real
 * 1.37 hub with the chart's certificate generated (caBundle set, the certificate verifying against it for the
 * Service's name) and from cert-manager (its CRDs installed from the cert-manager Go module's YAML,
 * CERT_MANAGER_VERSION; CA injected by annotation). The kustomize base is checked against the chart: same
 * objects and the same server permissions.
 */
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readdirSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { binaries } from "../harness/binaries.js";
import { startClusterSet, type ClusterSet } from "../harness/clusterset.js";
import { goTool, HELM } from "../harness/go-tools.js";
import { runCommand } from "../harness/run-command.js";
import { repoRoot } from "../harness/run-dir.js";

/** cert-manager's CRDs come from this release of github.com/cert-manager/cert-manager (deploy/crds). */
const CERT_MANAGER_VERSION = "v1.21.2";
const CHART = path.join(repoRoot, "deploy", "helm", "clusterset-apiserver");
const NS = "clusterset-system";
let cs: ClusterSet;
let helm: string;

interface Doc { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: Record<string, unknown>; data?: Record<string, string>; rules?: unknown[] }

const run = (bin: string, args: string[]) =>
  runCommand(bin, args, { env: { HELM_CACHE_HOME: path.join(cs.runDir.path, "helm-cache"), HELM_CONFIG_HOME: path.join(cs.runDir.path, "helm-config") } });

async function template(...set: string[]): Promise<{ yaml: string; docs: Doc[] }> {
  const r = await run(helm, ["template", "clusterset", CHART, "--namespace", NS, ...set.flatMap((s) => ["--set", s])]);
  expect(r.code, r.stderr).toBe(0);
  return { yaml: r.stdout, docs: parseAllDocuments(r.stdout).map((d) => d.toJS() as Doc).filter(Boolean) };
}

async function dryRun(yaml: string): Promise<void> {
  const r = await cs.hub.kubectl(["apply", "--dry-run=server", "-f", "-"], { input: yaml });
  expect(r.code, r.stderr).toBe(0);
}

/** The cert-manager module's directory in the shared Go module cache (downloaded once). */
function certManagerCrds(): string {
  const cache = process.env.CLUSTERSET_CACHE ?? path.join(homedir(), ".cache", "clusterset-apiserver");
  const env = { ...process.env, GOMODCACHE: path.join(cache, "go", "mod"), GOFLAGS: "-mod=mod", PATH: `/usr/local/go/bin:${process.env.PATH ?? ""}` };
  const r = spawnSync("go", ["mod", "download", "-json", `github.com/cert-manager/cert-manager@${CERT_MANAGER_VERSION}`], { env, encoding: "utf8", cwd: path.join(repoRoot, "test", "go", "helm") });
  const dir = (JSON.parse(r.stdout) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download of cert-manager ${CERT_MANAGER_VERSION} failed: ${r.stderr}${r.stdout}`);
  return path.join(dir, "deploy", "crds");
}

beforeAll(async () => {
  [helm, cs] = await Promise.all([goTool("helm", "helm", HELM), startClusterSet({ members: 0, label: "helm", server: { start: false } })]);
});
afterAll(async () => {
  await cs?.stop();
});

const find = (docs: Doc[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);

describe("the Helm chart", () => {
  it("lints in both certificate modes", async () => {
    for (const mode of ["generate", "cert-manager"]) {
      const r = await run(helm, ["lint", CHART, "--set", `certificate.mode=${mode}`]);
      expect(r.code, `${mode}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain("1 chart(s) linted, 0 chart(s) failed");
    }
  });

  it("generated certificate: the hub accepts everything, and the APIService trusts a certificate for the Service's name", async () => {
    const { yaml, docs } = await template();
    await dryRun(yaml);
    const api = find(docs, "APIService", "v1alpha1.multicluster.x-k8s.io")!;
    const secret = find(docs, "Secret", "clusterset-apiserver-serving")!;
    const ca = new X509Certificate(Buffer.from(api.spec!.caBundle as string, "base64"));
    const cert = new X509Certificate(Buffer.from(secret.data!["tls.crt"]!, "base64"));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain(`DNS:clusterset-apiserver.${NS}.svc`);
    expect(find(docs, "PersistentVolumeClaim", "clusterset-apiserver-data")).toBeDefined();
  });

  it("cert-manager: with its CRDs on the hub, the Certificate and the injected APIService are accepted", async () => {
    const crds = certManagerCrds();
    expect(readdirSync(crds)).toContain("cert-manager.io_certificates.yaml");
    const applied = await cs.hub.kubectl(["apply", "--server-side", "-f", crds]);
    expect(applied.code, applied.stderr).toBe(0);
    await cs.hub.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/certificates.cert-manager.io", "crd/issuers.cert-manager.io"], { check: true });
    const { yaml, docs } = await template("certificate.mode=cert-manager");
    await dryRun(yaml);
    const api = find(docs, "APIService", "v1alpha1.multicluster.x-k8s.io")!;
    expect(api.metadata.annotations).toEqual({ "cert-manager.io/inject-ca-from": `${NS}/clusterset-apiserver-serving` });
    expect(api.spec).not.toHaveProperty("caBundle");
    expect(find(docs, "Certificate", "clusterset-apiserver-serving")!.spec).toMatchObject({ secretName: "clusterset-apiserver-serving", issuerRef: { kind: "Issuer", name: "clusterset-apiserver-ca" } });
    expect(find(docs, "Secret", "clusterset-apiserver-serving")).toBeUndefined();
    // A user's issuer instead of the chart's own CA.
    const own = await template("certificate.mode=cert-manager", "certificate.certManager.issuerRef.kind=ClusterIssuer", "certificate.certManager.issuerRef.name=corp-ca");
    expect(find(own.docs, "Certificate", "clusterset-apiserver-serving")!.spec).toMatchObject({ issuerRef: { kind: "ClusterIssuer", name: "corp-ca" } });
    expect(find(own.docs, "Issuer", "clusterset-apiserver-ca")).toBeUndefined();
  });

  it("etcd storage, replicas, namespaces and resources reach the Deployment; impossible combinations are refused", async () => {
    const { yaml, docs } = await template("storage.backend=etcd", "storage.etcd.servers={http://etcd-0:2379,http://etcd-1:2379}", "replicas=3", "namespaces={fleet,edge}", "resources.limits.memory=2Gi");
    await dryRun(yaml);
    const d = find(docs, "Deployment", "clusterset-apiserver")! as unknown as { spec: { replicas: number; template: { spec: { containers: { args: string[]; resources: { limits: { memory: string } } }[] } } } };
    expect(d.spec.replicas).toBe(3);
    const c = d.spec.template.spec.containers[0]!;
    expect(c.args).toEqual(expect.arrayContaining(["--storage-backend=etcd", "--etcd-servers=http://etcd-0:2379,http://etcd-1:2379", "--namespaces=fleet,edge"]));
    expect(c.args.some((a) => a.startsWith("--data-dir"))).toBe(false);
    expect(c.resources.limits.memory).toBe("2Gi");
    expect(find(docs, "PersistentVolumeClaim", "clusterset-apiserver-data")).toBeUndefined();
    const two = await run(helm, ["template", "clusterset", CHART, "--namespace", NS, "--set", "replicas=2"]);
    expect(two.code).not.toBe(0);
    expect(two.stderr).toContain("replicas > 1 needs storage.backend=etcd");
  });

  it("keeps step with the kustomize base: the same objects and the same server permissions", async () => {
    const base = spawnSync((await binaries()).kubectl, ["kustomize", path.join(repoRoot, "deploy", "base")], { encoding: "utf8" });
    expect(base.status, base.stderr).toBe(0);
    const kustomized = parseAllDocuments(base.stdout).map((d) => d.toJS() as Doc);
    const { docs } = await template();
    const ids = (ds: Doc[]) => ds.filter((d) => !["Namespace", "Secret", "PersistentVolumeClaim"].includes(d.kind)).map((d) => `${d.kind}/${d.metadata.namespace ?? ""}/${d.metadata.name}`).sort();
    expect(ids(docs)).toEqual(ids(kustomized));
    for (const kind of ["ClusterRole", "Role"]) {
      for (const d of kustomized.filter((x) => x.kind === kind)) expect(find(docs, kind, d.metadata.name)!.rules, `${kind} ${d.metadata.name}`).toEqual(d.rules);
    }
  });
});
