/**
 * The CEL environment of CRD validation rules: CEL's standard library (@bufbuild/cel), the strings extension,
 * and kube's libraries that rules use (url, format, lists, regex, quantity) with optional values.
 * Not here (a rule calling them fails at load time): ip and cidr, semver, sets, math, base64, cel.bind,
 * two-variable comprehensions, strings.reverse, and the optional syntax `.?f` / `[?i]`.
 */
import { celEnv, type CelFunc } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { formatFuncs } from "./lib-format.js";
import { listsFuncs } from "./lib-lists.js";
import { quantityFuncs } from "./lib-quantity.js";
import { regexFuncs } from "./lib-regex.js";
import { urlFuncs } from "./lib-url.js";
import { optionalFuncs } from "./optional.js";

const KUBE_FUNCS: CelFunc[] = [...strings, ...optionalFuncs, ...urlFuncs, ...formatFuncs, ...listsFuncs, ...regexFuncs, ...quantityFuncs];

export const ENV = celEnv({ funcs: KUBE_FUNCS });

const names = new Set<string>([...ENV.funcs].map((f) => f.name));

/** Whether the environment has a function or method of that name (CEL's qualified names included). */
export function hasFunction(name: string): boolean {
  return names.has(name);
}
