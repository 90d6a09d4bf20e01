import { pino, type Logger } from "pino";

/** The root logger: JSON lines on stdout. Components take child loggers (`log.child({ component: "storage" })`). */
export const log: Logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { app: "clusterset-apiserver" },
  timestamp: pino.stdTimeFunctions.isoTime,
  // Never let a credential reach a log line, whatever a caller passes.
  redact: {
    paths: ["*.token", "*.password", "*.key", "*.keyData", "*.authorization", "*.kubeconfig", "headers.authorization"],
    censor: "[redacted]",
  },
});

export type { Logger };
