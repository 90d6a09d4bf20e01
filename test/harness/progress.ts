/**
 * Progress lines for the harness. Provisioning a cluster set takes seconds to minutes; a user (or a CI log)
 * should always see what is happening, never a silent wait. Set HARNESS_QUIET=1 to silence them.
 */
const started = Date.now();

export function progress(message: string): void {
  if (process.env.HARNESS_QUIET === "1") return;
  const secs = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[harness ${secs}s] ${message}\n`);
}
