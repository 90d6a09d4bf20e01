/**
 * /healthz, /livez and /readyz with named checks, answered as kube-apiserver answers them: `ok`, `?verbose` lists
 * each check, `?exclude=<name>` skips one, `/readyz/<name>` asks one. Our readiness is tied to the domain (auth
 * config loaded, storage open, no CRD claiming our group-version), and a failing check says why.
 */
export interface HealthCheck {
  name: string;
  /** undefined: healthy; a string: why not. */
  check(): string | undefined | Promise<string | undefined>;
}

export interface HealthAnswer {
  code: number;
  body: string;
}

export async function runChecks(kind: "healthz" | "livez" | "readyz", checks: HealthCheck[], only: string | undefined, query: URLSearchParams): Promise<HealthAnswer> {
  if (only !== undefined) {
    const c = checks.find((x) => x.name === only);
    if (!c) return { code: 404, body: "404 page not found\n" };
    const why = await c.check();
    return why === undefined ? { code: 200, body: "ok" } : { code: 500, body: `internal server error: ${why}\n` };
  }
  const excluded = new Set(query.getAll("exclude"));
  const lines: string[] = [];
  let failed = false;
  for (const c of checks) {
    if (excluded.has(c.name)) {
      lines.push(`[+]${c.name} excluded: ok`);
      continue;
    }
    const why = await c.check();
    if (why === undefined) lines.push(`[+]${c.name} ok`);
    else {
      failed = true;
      lines.push(`[-]${c.name} failed: ${why}`);
    }
  }
  if (failed) return { code: 500, body: `${lines.join("\n")}\n${kind} check failed\n` };
  if (query.has("verbose")) return { code: 200, body: `${lines.join("\n")}\n${kind} check passed\n` };
  return { code: 200, body: "ok" };
}
