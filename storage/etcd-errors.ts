/** etcd client errors as StorageErrors: the resources layer only ever sees the codes of interface.ts. */
import { StorageError } from "./interface.js";

export function fromEtcdError(err: unknown, key: string): StorageError {
  if (err instanceof StorageError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (message.includes("required revision has been compacted")) {
    return new StorageError("Expired", key, `The resourceVersion for the provided list is too old: ${message}`);
  }
  if (message.includes("required revision is a future revision")) {
    return new StorageError("TooLargeResourceVersion", key, message);
  }
  return new StorageError("Unavailable", key, `etcd: ${message}`);
}

/** Runs an etcd call, translating its errors. */
export async function etcdCall<T>(key: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw fromEtcdError(err, key);
  }
}
