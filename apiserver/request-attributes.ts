/**
 * What authorization needs to know about one request: k8s.io/apiserver's authorizer.Attributes without the
 * user. The request-info parser produces it; authz.ts turns it into a SubjectAccessReview and a 403 message.
 *
 * As upstream, absent parts are empty strings, never undefined, so a value can go straight into a
 * SubjectAccessReview and into a cache key.
 */
export interface RequestAttributes {
  /** True for paths naming an API resource (`/apis/<g>/<v>/…`, `/api/v1/…`); false for any other path. */
  isResourceRequest: boolean;
  /**
   * Resource requests: get, list, watch, create, update, patch, delete, deletecollection.
   * Non-resource requests: the lower-case HTTP method (get, post, put, …).
   */
  verb: string;
  /** The URL path without the query, e.g. `/apis/multicluster.x-k8s.io/v1alpha1/namespaces/default/works`. */
  path: string;
  /** API group; "" for the core group and for non-resource requests. */
  apiGroup: string;
  apiVersion: string;
  /** Plural resource name, e.g. `works`. */
  resource: string;
  /** e.g. `status`; "" when none. */
  subresource: string;
  /** "" for cluster-scoped requests (and for lists across all namespaces). */
  namespace: string;
  /** The object's name; for list/watch also the name a `fieldSelector=metadata.name=X` pins. */
  name: string;
}
