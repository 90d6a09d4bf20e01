/**
 * A list+watch cache on the hub that keeps itself running. client-node's informer stops on any watch error; we
 * restart it with a backoff so a hub restart or a dropped connection only delays events.
 */
import * as k8s from "@kubernetes/client-node";
import type { Logger } from "pino";

export interface ResilientInformer<T extends k8s.KubernetesObject> {
  /** Resolves after the first successful list. */
  synced: Promise<void>;
  isSynced(): boolean;
  list(): readonly T[];
  stop(): Promise<void>;
}

export function startInformer<T extends k8s.KubernetesObject>(
  kc: k8s.KubeConfig,
  path: string,
  listFn: () => Promise<k8s.KubernetesListObject<T>>,
  log: Logger,
  onChange: (type: "add" | "update" | "delete", obj: T) => void,
): ResilientInformer<T> {
  let synced = false;
  let stopped = false;
  let backoffMs = 500;
  let markSynced!: () => void;
  const syncedPromise = new Promise<void>((r) => (markSynced = r));
  const informer = k8s.makeInformer<T>(kc, path, async () => {
    const list = await listFn();
    synced = true;
    backoffMs = 500;
    markSynced();
    return list;
  });
  informer.on("add", (o) => onChange("add", o));
  informer.on("update", (o) => onChange("update", o));
  informer.on("delete", (o) => onChange("delete", o));
  const restart = () => {
    if (stopped) return;
    setTimeout(() => {
      if (stopped) return;
      informer.start().catch((err: unknown) => {
        log.warn({ path, err: String(err) }, "informer start failed; retrying");
        backoffMs = Math.min(backoffMs * 2, 10_000);
        restart();
      });
    }, backoffMs).unref();
  };
  informer.on("error", (err: unknown) => {
    log.warn({ path, err: String(err) }, "informer error; restarting");
    backoffMs = Math.min(backoffMs * 2, 10_000);
    restart();
  });
  informer.start().catch((err: unknown) => {
    log.warn({ path, err: String(err) }, "informer start failed; retrying");
    restart();
  });
  return {
    synced: syncedPromise,
    isSynced: () => synced,
    list: () => informer.list(),
    stop: async () => {
      stopped = true;
      await informer.stop();
    },
  };
}
