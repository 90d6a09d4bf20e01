/**
 * kube's CEL regex library (k8s.io/apiserver/pkg/cel/library/regex.go): `s.find(re)`, `s.findAll(re)`,
 * `s.findAll(re, n)`, with Go's FindString / FindAllString semantics. The pattern is checked as RE2 (the
 * syntax `matches()` also uses) and then run as a JavaScript RegExp, which agrees with RE2's leftmost-first
 * matching; RE2 syntax JavaScript lacks beyond leading (?i)/(?s)/(?m) flags, \z and (?P<name>…) is refused
 * as an illegal regex (not modelled).
 */
import { celMethod, CelScalar } from "@bufbuild/cel";
import { RE2JS } from "@bufbuild/re2";

const { STRING, INT } = CelScalar;

const cache = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  try {
    RE2JS.compile(pattern);
    let src = pattern;
    let flags = "gu";
    const lead = /^\(\?([ims]+)\)/.exec(src);
    if (lead) {
      flags += lead[1];
      src = src.slice(lead[0].length);
    }
    re = new RegExp(src.replace(/\\z/g, "$(?![\\s\\S])").replace(/\(\?P</g, "(?<"), flags);
  } catch (e) {
    throw new Error(`Illegal regex: ${(e as Error).message}`);
  }
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** regexp.FindAllString: no empty match right after a previous match; n < 0 means all. */
export function findAll(s: string, pattern: string, n: number): string[] {
  const re = compile(pattern);
  const out: string[] = [];
  let [pos, prevEnd] = [0, -1];
  while (pos <= s.length && (n < 0 || out.length < n)) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    let accept = true;
    if (m[0].length === 0) {
      if (m.index === prevEnd) accept = false;
      pos = end + (s.codePointAt(end)! > 0xffff ? 2 : 1);
    } else pos = end;
    prevEnd = end;
    if (accept) out.push(m[0]);
  }
  return out;
}

export const regexFuncs = [
  celMethod("find", STRING, [STRING], STRING, function (pattern) {
    return findAll(this, pattern, 1)[0] ?? "";
  }),
  celMethod("findAll", STRING, [STRING], CelScalar.DYN, function (pattern) {
    return findAll(this, pattern, -1);
  }),
  celMethod("findAll", STRING, [STRING, INT], CelScalar.DYN, function (pattern, n) {
    return findAll(this, pattern, Number(n));
  }),
];
