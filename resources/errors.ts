/**
 * The one catalogue of API errors. Every failure a client sees is a Kubernetes `Status` built here, worded as
 * kube-apiserver words it (k8s.io/apimachinery/pkg/api/errors), so kubectl and client-go recognise the reason.
 */

/**
 * One cause of a failure. Written as kube-apiserver writes metav1.StatusCause: its CauseType goes out as
 * `reason` (code here may say `type`, the field.Error name; StatusError normalizes it).
 */
export interface StatusCause {
  type?: string;
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A failure with the Status the client gets. Thrown anywhere below the HTTP layer; the handlers write it. */
export class StatusError extends Error {
  readonly status: Status;
  /** Extra response headers (Retry-After, Accept-Patch for 415). */
  readonly headers: Record<string, string>;
  constructor(code: number, reason: string, message: string, details?: StatusDetails, headers: Record<string, string> = {}) {
    super(message);
    this.name = "StatusError";
    this.status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
    if (details) {
      const d: StatusDetails = { ...details };
      if (d.name === "") delete d.name; // omitempty, as in kube-apiserver's JSON
      if (d.group === "") delete d.group;
      if (d.causes) d.causes = d.causes.map(({ type, reason: r, message: m, field }) => ({ ...((r ?? type) ? { reason: r ?? type } : {}), ...(m !== undefined ? { message: m } : {}), ...(field !== undefined ? { field } : {}) }));
      this.status.details = d;
    }
    this.headers = headers;
  }
  get code(): number {
    return this.status.code;
  }
}

/** The resource a message names: `clusterprofiles.multicluster.x-k8s.io` (group omitted for the core group). */
export interface GroupResource {
  group: string;
  resource: string;
}
export const qualified = (gr: GroupResource): string => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);

export const notFound = (gr: GroupResource, name: string): StatusError =>
  new StatusError(404, "NotFound", `${qualified(gr)} "${name}" not found`, { name, group: gr.group, kind: gr.resource });

export const alreadyExists = (gr: GroupResource, name: string): StatusError =>
  new StatusError(409, "AlreadyExists", `${qualified(gr)} "${name}" already exists`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });

/** 409 Conflict. Without a detail: the stale-resourceVersion wording clients retry on. */
export const conflict = (gr: GroupResource, name: string, detail?: string): StatusError =>
  new StatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${detail ?? "the object has been modified; please apply your changes to the latest version and try again"}`,
    { name, group: gr.group, kind: gr.resource },
  );

/** 422 Invalid: details.kind is the Kind (not the resource), as kube-apiserver's NewInvalid does. */
export const invalid = (group: string, kind: string, name: string, causes: StatusCause[]): StatusError => {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : (c.message ?? ""))).join(", ");
  const summary = causes.length > 1 ? `[${list}]` : list;
  // An empty name is left out, as Go's omitempty leaves it out of kube-apiserver's details.
  return new StatusError(422, "Invalid", `${kind}.${group} "${name}" is invalid: ${summary}`, {
    ...(name ? { name } : {}),
    group,
    kind,
    causes,
  });
};

/** 422 on a request's options (`CreateOptions`, `ListOptions`, `DeleteOptions`, …), as meta.k8s.io validation words it. */
export const invalidOptions = (optionsKind: string, ...causes: Array<StatusCause & { field: string }>): StatusError =>
  invalid("meta.k8s.io", optionsKind, "", causes);

export const badRequest = (message: string): StatusError => new StatusError(400, "BadRequest", message);

export const unauthorized = (message = "Unauthorized"): StatusError => new StatusError(401, "Unauthorized", message);

export const forbidden = (message: string, gr?: GroupResource, name?: string): StatusError =>
  new StatusError(403, "Forbidden", message, gr ? { ...(name ? { name } : {}), group: gr.group, kind: gr.resource } : undefined);

/** 404 for a path that names nothing we serve (kube-apiserver's "the server could not find the requested resource"). */
export const pathNotFound = (): StatusError =>
  new StatusError(404, "NotFound", "the server could not find the requested resource", {});

export const methodNotSupported = (gr: GroupResource, action: string): StatusError =>
  new StatusError(405, "MethodNotAllowed", `${action} is not supported on resources of kind "${qualified(gr)}"`, {
    group: gr.group,
    kind: gr.resource,
  });

export const notAcceptable = (accepted: string[]): StatusError =>
  new StatusError(406, "NotAcceptable", `only the following media types are accepted: ${accepted.join(", ")}`);

export const unsupportedMediaType = (accepted: string[]): StatusError =>
  new StatusError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );

export const requestEntityTooLarge = (message: string): StatusError =>
  new StatusError(413, "RequestEntityTooLarge", message);

/** 410 Expired for a continue token or a list revision that fell out of the window. */
export const expired = (message: string): StatusError => new StatusError(410, "Expired", message);


export const tooManyRequests = (retryAfterSeconds: number): StatusError =>
  new StatusError(
    429,
    "TooManyRequests",
    "Too many requests, please try again later.",
    { retryAfterSeconds },
    { "Retry-After": String(retryAfterSeconds) },
  );

export const timeout = (message: string, retryAfterSeconds = 1): StatusError =>
  new StatusError(504, "Timeout", message, { retryAfterSeconds });

export const serviceUnavailable = (message: string): StatusError => new StatusError(503, "ServiceUnavailable", message);

export const internalError = (err: unknown): StatusError =>
  new StatusError(500, "InternalError", `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`, {
    causes: [{ message: err instanceof Error ? err.message : String(err) }],
  });

/** A Success Status, as DELETE of a custom resource answers when the object is gone (no code: kube leaves it 0). */
export const success = (details: StatusDetails): Omit<Status, "code"> => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Success",
  details,
});

export const isStatusError = (e: unknown): e is StatusError => e instanceof StatusError;
