/**
 * What storage retries or drops, reported to whoever opened it: the watch cache reloading after its feed broke,
 * etcd's watch stream restarting, a compaction that failed, a feed consumer dropped. Storage keeps working
 * through all of these, which is exactly why they must not be silent; openStore's caller (server.ts) logs and
 * counts them. Storage itself knows nothing of loggers or metrics.
 */
export type StorageEventKind =
  | "cacher-resync"
  | "cacher-reload-failed"
  | "etcd-watch-restart"
  | "etcd-watch-connect-failed"
  | "etcd-compaction-failed"
  | "feed-consumer-dropped";

export interface StorageEvent {
  kind: StorageEventKind;
  /** What happened and what storage does about it. */
  message: string;
  /** The underlying error, when there was one. */
  error?: string;
}

export type StorageEventSink = (event: StorageEvent) => void;

export const ignoreStorageEvents: StorageEventSink = () => undefined;

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
