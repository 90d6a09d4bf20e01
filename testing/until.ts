/**
 * The one polling helper of the unit tests: waits until `check` gives a truthy value and returns it, on vitest's
 * `vi.waitFor` (which also advances fake timers while it polls). The timeout is a bound for a failing test, not
 * a pace: a passing test returns as soon as the condition holds.
 */
import { vi } from "vitest";

export async function until<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, what = "condition", timeoutMs = 5_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await check();
      if (!v) throw new Error(`not within ${timeoutMs} ms: ${what}`);
      return v;
    },
    { timeout: timeoutMs, interval: 10 },
  );
}
