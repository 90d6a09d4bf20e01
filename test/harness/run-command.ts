/** Runs a command to its end: stdout and stderr collected, stdin fed, killed past a time limit. */
import { spawn } from "node:child_process";
import path from "node:path";

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface CommandOptions {
  /** Written to the command's stdin. */
  input?: string;
  /** Kill it after this long; 60 s by default. */
  timeoutMs?: number;
  /** Throw (with stderr) unless it exits 0. */
  check?: boolean;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
}

export function runCommand(bin: string, args: string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const name = path.basename(bin);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const result = { stdout, stderr, code: code ?? (signal ? 128 : 1) };
      if (signal === "SIGKILL") result.stderr += `\n(${name} killed after ${timeoutMs} ms)`;
      if (opts.check && result.code !== 0) {
        reject(new Error(`${name} ${args.join(" ")} failed (${result.code}): ${result.stderr.trim() || result.stdout.trim()}`));
      } else resolve(result);
    });
    child.stdin.on("error", () => {}); // it may exit before reading all input; its exit code tells
    child.stdin.end(opts.input ?? "");
  });
}
