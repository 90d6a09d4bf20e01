/** kube's CEL URL library (k8s.io/apiserver/pkg/cel/library/urls.go): url(), isURL() and the getters. */
import { celFunc, celMethod, CelScalar } from "@bufbuild/cel";
import { escapedPath, parseGoURL, parseQuery, splitHostPort, type GoURL } from "./go-url.js";
import { opaqueType } from "./opaque.js";

const { STRING, BOOL } = CelScalar;
const url = opaqueType<GoURL>("kubernetes.URL");
export const URL_TYPE = url.type;

/** url.ParseRequestURI's verdict: what isURL and format.uri() accept. */
export function requestURIError(s: string): string | undefined {
  try {
    parseGoURL(s, true);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function toURL(s: string) {
  const err = requestURIError(s);
  if (err) throw new Error(`URL parse error during conversion from string: ${err}`);
  return url.wrap(parseGoURL(s, false), s);
}

const getter = (name: string, get: (u: GoURL) => string) =>
  celMethod(name, URL_TYPE, [], STRING, function () {
    return get(url.unwrap(this));
  });

export const urlFuncs = [
  celFunc("url", [STRING], URL_TYPE, (s) => toURL(s) as never),
  celFunc("isURL", [STRING], BOOL, (s) => requestURIError(s) === undefined),
  getter("getScheme", (u) => u.scheme),
  getter("getHost", (u) => u.host),
  getter("getHostname", (u) => splitHostPort(u.host).hostname),
  getter("getPort", (u) => splitHostPort(u.host).port),
  getter("getEscapedPath", (u) => (u.opaque ? "" : escapedPath(u))),
  celMethod("getQuery", URL_TYPE, [], CelScalar.DYN, function () {
    return parseQuery(url.unwrap(this).rawQuery);
  }),
];
