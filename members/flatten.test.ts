import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FlattenError, flattenContext } from "./flatten.js";

const dir = mkdtempSync(path.join(tmpdir(), "flatten-"));
writeFileSync(path.join(dir, "ca.crt"), "CA-PEM");
writeFileSync(path.join(dir, "client.crt"), "CERT-PEM");
writeFileSync(path.join(dir, "client.key"), "KEY-PEM");
writeFileSync(path.join(dir, "token"), "tok123\n");

const kubeconfig = `
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: "https://m1:6443", certificate-authority: ca.crt}
- name: c2
  cluster: {server: "https://m2:6443"}
users:
- name: u1
  user: {client-certificate: client.crt, client-key: ${path.join(dir, "client.key")}}
- name: u2
  user: {tokenFile: token}
- name: u3
  user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}}
contexts:
- name: one
  context: {cluster: c1, user: u1}
- name: two
  context: {cluster: c2, user: u2, namespace: ns}
- name: three
  context: {cluster: c2, user: u3}
current-context: two
`;
const file = path.join(dir, "config");

describe("flattenContext", () => {
  it("inlines files, relative to the kubeconfig, and keeps only the context asked for", () => {
    const flat = parse(flattenContext(kubeconfig, file, "one")) as { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[]; contexts: unknown[]; "current-context": string };
    expect(flat.clusters).toHaveLength(1);
    expect(flat.clusters[0]!.cluster).toEqual({ server: "https://m1:6443", "certificate-authority-data": Buffer.from("CA-PEM").toString("base64") });
    expect(flat.users[0]!.user).toEqual({ "client-certificate-data": Buffer.from("CERT-PEM").toString("base64"), "client-key-data": Buffer.from("KEY-PEM").toString("base64") });
    expect(flat["current-context"]).toBe("one");
    const two = parse(flattenContext(kubeconfig, file, "two")) as { users: { user: Record<string, string> }[] };
    expect(two.users[0]!.user).toEqual({ token: "tok123" });
  });
  it("refuses exec plugins and unknown contexts with a clear message", () => {
    expect(() => flattenContext(kubeconfig, file, "three")).toThrow(/exec plugin/);
    expect(() => flattenContext(kubeconfig, file, "nope")).toThrow(FlattenError);
    expect(() => flattenContext(kubeconfig, file, "nope")).toThrow(/no context named "nope"/);
  });
});
