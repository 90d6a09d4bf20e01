import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, usage } from "./config.js";

describe("parseConfig", () => {
  it("has kube-apiserver-like defaults", () => {
    const c = parseConfig([]);
    expect(c).toMatchObject({ securePort: 8443, storageBackend: "level", namespaces: [], bindAddress: "0.0.0.0", watchHistorySize: 10_000 });
  });
  it("reads flags in both forms", () => {
    const c = parseConfig(["--secure-port=9443", "--namespaces", "a,b", "--storage-backend=etcd", "--etcd-servers=http://127.0.0.1:2379"]);
    expect(c).toMatchObject({ securePort: 9443, namespaces: ["a", "b"], storageBackend: "etcd", etcdServers: ["http://127.0.0.1:2379"] });
  });
  it("fails fast on bad flags, naming them", () => {
    expect(() => parseConfig(["--secure-port=abc"])).toThrow(/--secure-port "abc"/);
    expect(() => parseConfig(["--nope"])).toThrow(ConfigError);
    expect(() => parseConfig(["--nope"])).toThrow(/--nope/);
    expect(() => parseConfig(["--storage-backend=mysql"])).toThrow(/level or etcd/);
    expect(() => parseConfig(["--storage-backend=etcd"])).toThrow(/--etcd-servers is required/);
    expect(() => parseConfig(["--tls-cert-file=x"])).toThrow(/together/);
    expect(() => parseConfig(["--watch-history-size=0"])).toThrow(/--watch-history-size "0": must be a positive integer/);
    expect(parseConfig(["--watch-history-size=200"])).toMatchObject({ watchHistorySize: 200 });
  });
  it("puts the Lease (and the Service) in the namespace the server runs in, unless told otherwise", () => {
    expect(parseConfig([], () => "fleet-system")).toMatchObject({ serviceNamespace: "fleet-system" });
    expect(parseConfig(["--service-namespace=mine"], () => "fleet-system")).toMatchObject({ serviceNamespace: "mine" });
    expect(parseConfig([], () => undefined)).toMatchObject({ serviceNamespace: "clusterset-system" });
    expect(usage()).toContain("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
  });
  it("lists every flag in --help", () => {
    expect(parseConfig(["--help"])).toBe("help");
    for (const f of ["--secure-port", "--bind-address", "--tls-cert-file", "--kubeconfig", "--storage-backend", "--data-dir", "--etcd-servers", "--namespaces", "--watch-history-size"]) {
      expect(usage()).toContain(f);
    }
  });
});
