/** Storage failures → the Status answers kube-apiserver gives for them (k8s.io/apiserver/pkg/storage/errors.go). */
import { StorageError } from "../../storage/interface.js";
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  notFound,
  serviceUnavailable,
  StatusError,
  timeout,
  type GroupResource,
} from "../errors.js";

export const continueTooOld =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

export function toStatusError(err: unknown, gr: GroupResource, name: string, context: "continue" | "rv" | "write" = "write"): unknown {
  if (!(err instanceof StorageError)) return err;
  switch (err.code) {
    case "NotFound":
      return notFound(gr, name);
    case "AlreadyExists":
      return alreadyExists(gr, name);
    case "Conflict":
      return conflict(gr, name, err.message);
    case "Expired":
      if (context === "continue") return expired(continueTooOld);
      return expired(err.message.startsWith("too old resource version") ? err.message : `too old resource version: ${err.message}`);
    case "InvalidContinue":
      // The store words why (storage.DecodeContinue's message); kube-apiserver's list adds the prefix.
      return badRequest(`invalid continue token: ${err.message}`);
    case "TooLargeResourceVersion": {
      const e = timeout(`Too large resource version: ${err.message}`, 1);
      e.status.details!.causes = [{ type: "ResourceVersionTooLarge", message: "Too large resource version" }];
      return e;
    }
    case "Unavailable":
      return serviceUnavailable(`storage is unavailable: ${err.message}`);
  }
}

/** Runs a storage call, translating its failure. */
export async function mapped<T>(gr: GroupResource, name: string, f: () => Promise<T>, context?: "continue" | "rv" | "write"): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw toStatusError(e, gr, name, context);
  }
}

