import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { KubeconfigError, loadMemberKubeconfig } from "./kubeconfig.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const CA = b64("-----BEGIN CERTIFICATE-----\nQ0EtQ0VSVA==\n-----END CERTIFICATE-----\n");
const CERT = b64("-----BEGIN CERTIFICATE-----\nQ0xJRU5ULUNFUlQ=\n-----END CERTIFICATE-----\n");
const KEY_TEXT = "SUPER-SECRET-KEY-MATERIAL";
const KEY = b64(`-----BEGIN RSA PRIVATE KEY-----\n${KEY_TEXT}\n-----END RSA PRIVATE KEY-----\n`);
const TOKEN = "tok-SUPER-SECRET-TOKEN";

function kubeconfig(over: { cluster?: object; user?: object; current?: string | null; extra?: object } = {}): string {
  const doc: Record<string, unknown> = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "m1", cluster: { server: "https://127.0.0.1:6443/", "certificate-authority-data": CA, ...over.cluster } }],
    users: [{ name: "admin", user: { "client-certificate-data": CERT, "client-key-data": KEY, ...over.user } }],
    contexts: [{ name: "m1-admin", context: { cluster: "m1", user: "admin" } }],
    "current-context": over.current === null ? undefined : (over.current ?? "m1-admin"),
    ...over.extra,
  };
  return stringify(doc);
}

function errorOf(text: string): string {
  try {
    loadMemberKubeconfig(text);
  } catch (e) {
    expect(e).toBeInstanceOf(KubeconfigError);
    const msg = (e as Error).message;
    // Whatever went wrong, the message never quotes credentials.
    for (const secret of [TOKEN, KEY_TEXT, KEY, "hunter2"]) expect(msg).not.toContain(secret);
    return msg;
  }
  throw new Error("expected a KubeconfigError");
}

describe("loadMemberKubeconfig", () => {
  it("loads a flattened client-certificate kubeconfig", () => {
    const a = loadMemberKubeconfig(Buffer.from(kubeconfig()));
    expect(a).toMatchObject({ context: "m1-admin", server: "https://127.0.0.1:6443", caData: CA, insecureSkipTLSVerify: false });
    expect(a.kc.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443");
    expect(a.kc.getCurrentUser()?.keyData).toBe(KEY);
  });

  it("loads a token kubeconfig and keeps tls-server-name and proxy-url", () => {
    const text = kubeconfig({ user: { "client-certificate-data": undefined, "client-key-data": undefined, token: TOKEN }, cluster: { "tls-server-name": "api.m1", "proxy-url": "http://proxy:3128" } });
    const a = loadMemberKubeconfig(text);
    expect(a.kc.getCurrentUser()?.token).toBe(TOKEN);
    expect(a).toMatchObject({ tlsServerName: "api.m1", proxyUrl: "http://proxy:3128" });
  });

  it("uses only the current context's entries (other users may hold plugins)", () => {
    const doc = parse(kubeconfig()) as Record<string, unknown[]>;
    doc.users!.push({ name: "other", user: { exec: { command: "rm", args: ["-rf", "/"] }, "token-file": "/etc/shadow" } });
    const a = loadMemberKubeconfig(stringify(doc));
    expect(a.kc.getUsers().map((u) => u.name)).toEqual(["admin"]);
  });

  it("allows plain http only with insecure-skip-tls-verify", () => {
    expect(errorOf(kubeconfig({ cluster: { server: "http://127.0.0.1:8080" } }))).toMatch(/plain http:\/\/.*insecure-skip-tls-verify/);
    const a = loadMemberKubeconfig(kubeconfig({ cluster: { server: "http://127.0.0.1:8080/m/a", "insecure-skip-tls-verify": true } }));
    expect(a.server).toBe("http://127.0.0.1:8080/m/a");
  });

  it.each([
    ["empty", "", /is empty/],
    ["bad YAML", "clusters: [\n  - name: x\n user: {", /not valid YAML \([A-Z_]+ at line \d+, column \d+\)/],
    ["not a mapping", "- a\n- b\n", /not a YAML mapping/],
    ["no current-context", kubeconfig({ current: null }), /no current-context/],
    ["unknown context", kubeconfig({ current: "nope" }), /current-context "nope" is not among/],
    ["no server", kubeconfig({ cluster: { server: undefined } }), /cluster "m1" has no server/],
    ["server not a URL", kubeconfig({ cluster: { server: "::::" } }), /not a URL/],
    ["server with userinfo", kubeconfig({ cluster: { server: "https://u:hunter2@host" } }), /carries credentials/],
    ["CA file", kubeconfig({ cluster: { "certificate-authority": "/etc/ca.pem" } }), /refers to a file \(certificate-authority\)/],
    ["bad CA data", kubeconfig({ cluster: { "certificate-authority-data": "bm90IGEgY2VydA==" } }), /certificate-authority-data is not base64-encoded PEM/],
    ["exec plugin", kubeconfig({ user: { exec: { command: "aws" } } }), /exec credential plugin.*does not run commands/],
    ["auth-provider", kubeconfig({ user: { "auth-provider": { name: "gcp" } } }), /auth-provider plugin/],
    ["key file", kubeconfig({ user: { "client-key": "/srv/tls.key" } }), /refers to a file \(client-key\)/],
    ["token file", kubeconfig({ user: { "token-file": "/var/run/token" } }), /refers to a file \(token-file\)/],
    ["basic auth", kubeconfig({ user: { username: "admin", password: "hunter2" } }), /basic authentication/],
    ["impersonation", kubeconfig({ user: { as: "root" } }), /impersonates/],
    ["cert without key", kubeconfig({ user: { "client-key-data": undefined } }), /client-certificate-data without client-key-data/],
    ["garbage key", kubeconfig({ user: { "client-key-data": b64(`not a key ${KEY_TEXT}`) } }), /client-key-data is not base64-encoded PEM/],
    ["no credentials", kubeconfig({ user: { "client-certificate-data": undefined, "client-key-data": undefined } }), /has no credentials/],
  ])("refuses %s with a clear message", (_what, text, want) => {
    expect(errorOf(text)).toMatch(want);
  });

  it("names missing clusters and users", () => {
    const doc = parse(kubeconfig()) as Record<string, unknown>;
    expect(errorOf(stringify({ ...doc, clusters: [] }))).toMatch(/names cluster "m1", which the kubeconfig does not define/);
    expect(errorOf(stringify({ ...doc, users: [] }))).toMatch(/names user "admin", which the kubeconfig does not define/);
  });

  it("never echoes a YAML line holding a secret", () => {
    const broken = `users:\n- name: a\n  user:\n    token: ${TOKEN}\n   bad: [\n`;
    expect(errorOf(broken)).toMatch(/not valid YAML/);
  });
});
