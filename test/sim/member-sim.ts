/**
 * Thousands of fake member clusters in one Node process, for view tests and benchmarks: one plain-HTTP server
 * on loopback, each member under its own path prefix (`http://127.0.0.1:<port>/m/<name>`, a server URL
 * kubeconfigs allow), with its own bearer token. It answers exactly what a member view asks: /version, /readyz,
 * Node list+watch, about.k8s.io discovery, ClusterProperty list+watch; and what the Work dispatcher asks
 * (sim-applied.ts: discovery, server-side apply, get, delete, list+watch of a few built-in kinds). Tests change
 * members through SimMember.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { stringify } from "yaml";
import { SimMember, type SimMemberInit } from "./sim-member.js";

export { SimMember, type SimHealth, type SimMemberInit, type SimNode } from "./sim-member.js";

export interface MemberSim {
  /** http://127.0.0.1:<port> */
  url: string;
  addMember(name: string, init?: SimMemberInit): SimMember;
  member(name: string): SimMember;
  removeMember(name: string): void;
  members(): SimMember[];
  /** A flattened kubeconfig (YAML) reaching the member as the view would get it from a Secret. */
  kubeconfig(name: string): string;
  /** Requests answered so far, by kind (readyz, version, discovery, list, watch, rejected). */
  stats(): Record<string, number>;
  close(): Promise<void>;
}

const PREFIX = /^\/m\/([^/]+)(\/[^?]*)?(?:\?(.*))?$/;

export async function startMemberSim(opts: { host?: string } = {}): Promise<MemberSim> {
  const members = new Map<string, SimMember>();
  const stats: Record<string, number> = {};
  const count = (k: string) => (stats[k] = (stats[k] ?? 0) + 1);

  const server = http.createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
    const m = PREFIX.exec(req.url ?? "");
    const member = m ? members.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !member) return status(res, 404, "NotFound", "no such simulated member");
    if (member.health === "unreachable") {
      count("rejected");
      return req.socket.destroy();
    }
    if (member.health === "hang") return count("rejected"); // never answered: the client's deadline decides
    if (req.headers.authorization !== `Bearer ${member.token}` || member.health === "unauthorized") {
      count("rejected");
      return status(res, 401, "Unauthorized", "Unauthorized");
    }
    route(member, req, res, m[2] ?? "/", new URLSearchParams(m[3] ?? ""), count);
  });
  server.on("clientError", (_e, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, opts.host ?? "127.0.0.1", resolve));
  const { port, address } = server.address() as AddressInfo;
  const url = `http://${address}:${port}`;

  const sim: MemberSim = {
    url,
    addMember(name, init) {
      if (members.has(name)) throw new Error(`simulated member ${name} exists`);
      const m = new SimMember(name, init);
      members.set(name, m);
      return m;
    },
    member(name) {
      const m = members.get(name);
      if (!m) throw new Error(`no simulated member ${name}`);
      return m;
    },
    removeMember(name) {
      members.get(name)?.dropWatches(true);
      members.delete(name);
    },
    members: () => [...members.values()],
    kubeconfig(name) {
      const m = sim.member(name);
      return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: `${url}/m/${encodeURIComponent(name)}`, "insecure-skip-tls-verify": true } }],
        users: [{ name: `${name}-admin`, user: { token: m.token } }],
        contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
        "current-context": name,
      });
    },
    stats: () => ({ ...stats }),
    async close() {
      for (const m of members.values()) m.dropWatches(true);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sim;
}

function route(member: SimMember, req: IncomingMessage, res: ServerResponse, path: string, q: URLSearchParams, count: (k: string) => void): void {
  if (path !== "/api/v1/nodes" && member.applied.handle(req, res, path, q, member.rv, count)) return;
  if (req.method !== "GET") return status(res, 405, "MethodNotAllowed", "the simulator only reads");
  const watching = q.get("watch") === "true" || q.get("watch") === "1";
  const timeout = Number(q.get("timeoutSeconds") ?? "1800") || 1800;
  if (path === "/readyz") {
    count("readyz");
    if (member.health === "notready") return text(res, 500, "[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed\n");
    return text(res, 200, "ok");
  }
  if (path === "/version") {
    count("version");
    return json(res, 200, { major: "1", minor: "30", gitVersion: member.version, platform: "linux/amd64" });
  }
  if (path === "/api/v1/namespaces/kube-system") {
    count("namespace");
    return json(res, 200, { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system", uid: member.kubeSystemUid } });
  }
  if (path === "/api/v1/nodes") {
    count(watching ? "watch" : "list");
    if (watching) return member.nodes.watch(res, "v1", q.get("resourceVersion"), timeout);
    return json(res, 200, member.nodes.list("v1", member.rv, "NodeList"));
  }
  const about = /^\/apis\/about\.k8s\.io(?:\/([^/]+))?(\/clusterproperties)?\/?$/.exec(path);
  if (about) {
    const [, version, resource] = about;
    const served = member.aboutVersions ?? [];
    if (!member.aboutVersions || (version && !served.includes(version))) return status(res, 404, "NotFound", "the server could not find the requested resource");
    if (!version) {
      count("discovery");
      const versions = served.map((v) => ({ groupVersion: `about.k8s.io/${v}`, version: v }));
      return json(res, 200, { kind: "APIGroup", apiVersion: "v1", name: "about.k8s.io", versions, preferredVersion: versions[0] });
    }
    if (!resource) {
      count("discovery");
      const resources = [{ name: "clusterproperties", singularName: "clusterproperty", namespaced: false, kind: "ClusterProperty", verbs: ["get", "list", "watch"] }];
      return json(res, 200, { kind: "APIResourceList", apiVersion: "v1", groupVersion: `about.k8s.io/${version}`, resources });
    }
    count(watching ? "watch" : "list");
    if (watching) return member.properties.watch(res, version, q.get("resourceVersion"), timeout);
    return json(res, 200, member.properties.list(version, member.rv, "ClusterPropertyList"));
  }
  return status(res, 404, "NotFound", "the server could not find the requested resource");
}

function json(res: ServerResponse, code: number, body: object): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
  res.end(data);
}

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  json(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
}
