#!/usr/bin/env node
/**
 * Entry point: `clusterset-apiserver serve [flags]` and `join`. Parses flags, starts the server, and
 * shuts down gracefully on SIGTERM/SIGINT (watches drained, stores closed).
 */
import { ConfigError, parseConfig, usage } from "./config.js";
import { join } from "./join.js";
import { log } from "./log.js";
import { migrate } from "./migrate.js";
import { startServer } from "./server.js";

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`clusterset-apiserver: multicluster.x-k8s.io/v1alpha1 as a Kubernetes aggregated API server\n\nCommands:\n  serve   serve the API (see 'serve --help')\n  join    make a cluster a member: write its hub Secret (see 'join --help')\n  migrate copy the objects of the hub's upstream CRDs into our storage (see 'migrate --help')\n\n`);
    return command === undefined ? 1 : 0;
  }
  if (command === "join") {
    process.stdout.write(await join(rest));
    return 0;
  }
  if (command === "migrate") {
    const { report, conflicts } = await migrate(rest);
    process.stdout.write(report);
    return conflicts > 0 ? 3 : 0;
  }
  if (command !== "serve") {
    process.stderr.write(`error: unknown command ${JSON.stringify(command)}\nRun 'clusterset-apiserver --help' for the commands.\n`);
    return 2;
  }
  const config = parseConfig(rest);
  if (config === "help") {
    process.stdout.write(usage());
    return 0;
  }
  const server = await startServer(config);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "shutting down");
      void server.close().then(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`error: ${err.message}\n`);
    else process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
