/**
 * How objects live in etcd: key = <root><store key> (root e.g. "/clusterset"), value = the object's JSON without
 * resourceVersion, which is the key's mod_revision (as kube-apiserver does it: the revision is never stale).
 */
import type { IEvent, IKeyValue } from "etcd3";
import type { KubeObject } from "./interface.js";
import type { Change } from "./change.js";
import { decodeBody, withRevision } from "./objects.js";

export class EtcdKeys {
  readonly root: string;

  constructor(prefix: string) {
    // "/clusterset/" and "/clusterset" mean the same; store keys bring their own leading "/".
    this.root = prefix.replace(/\/+$/, "");
  }

  toEtcd(key: string): Buffer {
    return Buffer.from(this.root + key, "utf8");
  }

  fromEtcd(raw: Buffer): string {
    return raw.toString("utf8").slice(this.root.length);
  }

  /** The etcd range [key, end) holding every store key that starts with prefix. */
  range(prefix: string): { key: Buffer; end: Buffer } {
    const key = this.toEtcd(prefix);
    return { key, end: bytesAfterPrefix(key) };
  }
}

/** The first byte string after every string that starts with prefix ("\0" = no bound, in etcd's terms). */
export function bytesAfterPrefix(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

export function decodeKv(kv: IKeyValue): KubeObject {
  return decodeBody(kv.value.toString("utf8"), Number(kv.mod_revision));
}

/** An etcd watch event as a Change; undefined for values that are not ours (not JSON objects). */
export function changeOf(ev: IEvent, keys: EtcdKeys): Change | undefined {
  const key = keys.fromEtcd(ev.kv.key);
  const revision = Number(ev.kv.mod_revision);
  try {
    const prev = ev.prev_kv ? decodeKv(ev.prev_kv) : undefined;
    if (ev.type === "Delete") {
      // Without prev_kv (compacted before etcd could read it) we still report the delete, with what we know.
      const last = prev ?? placeholderFor(key);
      return { type: "DELETED", key, revision, object: withRevision(last, revision), ...(prev ? { prev } : {}) };
    }
    const object = decodeKv(ev.kv);
    // version counts writes since the key's creation: 1 is a create even if an older incarnation was deleted.
    const type = ev.kv.version === "1" ? "ADDED" : "MODIFIED";
    return { type, key, revision, object, ...(prev ? { prev } : {}) };
  } catch {
    return undefined;
  }
}

function placeholderFor(key: string): KubeObject {
  const parts = key.split("/").filter((p) => p !== "");
  const name = parts[parts.length - 1];
  const namespace = parts.length >= 3 ? parts[parts.length - 2] : undefined;
  return {
    metadata: { ...(name !== undefined ? { name } : {}), ...(namespace !== undefined ? { namespace } : {}) },
  };
}
