/**
 * CEL's own `==` and `<` for library functions that compare elements (lists' indexOf, min, isSorted), taken
 * from @bufbuild/cel by evaluating the operator, so they follow cel-spec (int 1 == double 1.0, no bool < int)
 * without a second implementation here.
 */
import { celEnv, isCelError, parse, plan, type CelValue } from "@bufbuild/cel";

const env = celEnv();
const eq = plan(env, parse("a == b"));
const lt = plan(env, parse("a < b"));

function run(p: typeof eq, a: CelValue, b: CelValue): boolean {
  const r = p({ a, b });
  if (isCelError(r)) throw r;
  return r === true;
}

export const celEquals = (a: CelValue, b: CelValue): boolean => run(eq, a, b);

/** -1, 0 or 1; throws CEL's "no matching overload" error for values without an order. */
export function celCompare(a: CelValue, b: CelValue): number {
  if (run(lt, a, b)) return -1;
  return run(lt, b, a) ? 1 : 0;
}
