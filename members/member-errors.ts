/** How a member exchange fails: no answer at all, or an answer that is not 2xx. */

/** A failed HTTP exchange (no answer): `code` is Node's (ECONNREFUSED, CERT_HAS_EXPIRED, …) or "ETIMEDOUT". */
export class MemberRequestError extends Error {
  override name = "MemberRequestError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A non-2xx answer, shaped as client-node's ListWatch expects (`statusCode`, 410 → relist). */
export class MemberStatusError extends Error {
  override name = "MemberStatusError";
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(`HTTP ${statusCode}`);
  }
}
