/**
 * The command line fails fast and clearly: bad flags, an unreadable certificate, an unreachable hub (the
 * server then runs, says so, and stays unready until the hub's authentication config is loaded).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { httpsRequest } from "../harness/https.js";
import { freePort, waitFor } from "../harness/processes.js";

const repo = process.cwd();
const tmp = mkdtempSync(path.join(tmpdir(), "clusterset-cli-"));
const serve = (args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(repo, "main.ts"), "serve", ...args], { encoding: "utf8", timeout: 60_000 });

/** A kubeconfig pointing at a port where nothing listens. */
function deadHubKubeconfig(port: number): string {
  const file = path.join(tmp, "dead-hub.kubeconfig");
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: not-a-real-token}}]
contexts: [{name: c, context: {cluster: dead, user: u}}]
current-context: c
`,
  );
  return file;
}

describe("clusterset-apiserver serve", () => {
  it("rejects a bad flag value with a message naming the flag", () => {
    const r = serve(["--secure-port=abc"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('invalid --secure-port "abc"');
  });

  it("rejects an unknown flag", () => {
    const r = serve(["--no-such-flag"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--no-such-flag/);
    expect(r.stderr).toMatch(/serve --help/);
  });

  it("prints every flag with --help", () => {
    const r = serve(["--help"]);
    expect(r.status).toBe(0);
    for (const f of ["--secure-port", "--tls-cert-file", "--kubeconfig", "--storage-backend", "--etcd-servers", "--namespaces"]) expect(r.stdout).toContain(f);
  });

  it("names an unreadable certificate", async () => {
    const r = serve(["--kubeconfig", deadHubKubeconfig(await freePort()), "--tls-cert-file=/nonexistent/tls.crt", "--tls-private-key-file=/nonexistent/tls.key", `--data-dir=${path.join(tmp, "d1")}`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("/nonexistent/tls.crt");
  });

  it("names a missing kubeconfig", () => {
    const r = serve(["--kubeconfig=/nonexistent/hub.kubeconfig"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot load the hub kubeconfig --kubeconfig /nonexistent/hub.kubeconfig");
  });

  describe("with an unreachable hub", () => {
    let child: ReturnType<typeof spawn> | undefined;
    afterAll(() => {
      if (child?.pid) process.kill(child.pid, "SIGKILL");
    });

    it("runs, says it cannot reach the hub, and is not ready", async () => {
      const port = await freePort();
      const kubeconfig = deadHubKubeconfig(await freePort());
      child = spawn(process.execPath, ["--import", "tsx", path.join(repo, "main.ts"), "serve", `--secure-port=${port}`, "--bind-address=127.0.0.1", `--kubeconfig=${kubeconfig}`, `--cert-dir=${path.join(tmp, "certs")}`, `--data-dir=${path.join(tmp, "d2")}`], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
      await waitFor(async () => (out.includes("cannot reach the hub") ? true : undefined), { what: "the unreachable-hub message", timeoutMs: 30_000 });
      // Self-signed: verify against the CA the server wrote into its cert dir.
      const certs = path.join(tmp, "certs");
      const r = await waitFor(
        async () => {
          const caFile = existsSync(certs) ? readdirSync(certs).find((f) => /ca\.crt$/.test(f)) : undefined;
          if (!caFile) return undefined;
          const ca = readFileSync(path.join(certs, caFile), "utf8");
          return httpsRequest(`https://127.0.0.1:${port}/readyz?verbose`, { ca }, { timeoutMs: 2000 }).catch(() => undefined);
        },
        { what: "readyz answers", timeoutMs: 30_000 },
      );
      expect(r.status).toBe(500);
      expect(r.body).toContain("[-]authentication-config failed");
      expect(out).not.toContain("not-a-real-token");
    });
  });
});
