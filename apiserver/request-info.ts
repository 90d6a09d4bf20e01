/**
 * Path and method → what the request asks for, as k8s.io/apiserver's RequestInfoFactory reads it. Authorization,
 * metrics and routing all use this one reading, so a SubjectAccessReview names exactly what the handler does.
 */

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** get list watch create update patch delete deletecollection, or the lower-case method for non-resource paths. */
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the resource: [name, subresource, …]. */
  parts: string[];
}

const watchVerbs = new Set(["1", "true"]);

/** Reads a request. `query` is the parsed query string (first value of each key). */
export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const nonResource: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: "",
    apiGroup: "",
    apiVersion: "",
    namespace: "",
    resource: "",
    subresource: "",
    name: "",
    parts: [],
  };
  // As kube-apiserver's splitPath: slashes trimmed at both ends, empty segments inside kept (so
  // `namespaces//x` names the namespace "" and `x//status` the name "").
  // (A loop, not a regular expression: `\/+$` backtracks quadratically over a long run of slashes.)
  let from = 0;
  let to = path.length;
  while (from < to && path[from] === "/") from++;
  while (to > from && path[to - 1] === "/") to--;
  const segments = from === to ? [] : path.slice(from, to).split("/");
  // Only /apis/<group>/<version>/… names resources; /apis and /apis/<group> are discovery (non-resource).
  if (segments[0] !== "apis" || segments.length < 4) return nonResource;

  const info: RequestInfo = { ...nonResource, isResourceRequest: true, apiPrefix: "apis" };
  info.apiGroup = segments[1] ?? "";
  info.apiVersion = segments[2] ?? "";
  let rest = segments.slice(3);

  switch (method) {
    case "POST":
      info.verb = "create";
      break;
    case "GET":
    case "HEAD":
      info.verb = "get";
      break;
    case "PUT":
      info.verb = "update";
      break;
    case "PATCH":
      info.verb = "patch";
      break;
    case "DELETE":
      info.verb = "delete";
      break;
    default:
      info.verb = "";
  }

  if (rest[0] === "namespaces") {
    if (rest.length > 1) {
      info.namespace = rest[1] ?? "";
      // /namespaces/<ns>/<resource>…; a bare /namespaces/<ns> would be the namespace object itself (not ours).
      if (rest.length > 2) rest = rest.slice(2);
      else {
        info.resource = "namespaces";
        info.name = info.namespace;
        info.namespace = "";
        rest = [];
      }
    } else {
      info.resource = "namespaces";
      rest = [];
    }
  }
  if (rest.length > 0) {
    info.resource = rest[0] ?? "";
    info.parts = rest.slice(1);
    info.name = info.parts[0] ?? "";
    info.subresource = info.parts[1] ?? "";
  }

  // A collection GET is a list, or a watch when asked; a collection DELETE is deletecollection.
  if (info.name === "" && info.verb === "get") {
    info.verb = watchVerbs.has(query.get("watch") ?? "") ? "watch" : "list";
  }
  if (info.name === "" && info.verb === "delete") info.verb = "deletecollection";
  // list/watch of one object by field selector authorizes as that name (as kube-apiserver does).
  if (info.verb === "list" || info.verb === "watch") {
    const name = singleNameFromFieldSelector(query.get("fieldSelector"));
    if (name !== undefined) info.name = name;
  }
  return info;
}

/** `metadata.name=x` (or `==`) as the only term of a field selector → x. */
function singleNameFromFieldSelector(selector: string | null): string | undefined {
  if (!selector) return undefined;
  const terms = selector.split(",");
  if (terms.length !== 1) return undefined;
  const m = /^metadata\.name==?(.*)$/.exec(terms[0]!.trim());
  return m ? m[1] : undefined;
}
