/**
 * One committed change, as the backends report it and the history keeps it, and the WatchEvents made from it.
 * Every WatchEvent is built at most once per change and then shared by all watchers, so the `encoded` cache on
 * it serializes once per encoding however many watchers receive it.
 */
import type { KubeObject, WatchEvent, WatchEventType } from "./interface.js";
import { deepFreeze } from "../lib/objects.js";
import { withRevision } from "./objects.js";

export type ChangeType = Exclude<WatchEventType, "BOOKMARK">;

export interface Change {
  type: ChangeType;
  key: string;
  revision: number;
  /** The new state; for DELETED the last state stamped with the delete's revision. */
  object: KubeObject;
  /** The state before the change (with its own resourceVersion); undefined for ADDED. */
  prev?: KubeObject;
}

export function makeEvent(type: WatchEventType, object: KubeObject, revision: number): WatchEvent {
  return { type, object, revision, encoded: new Map() };
}

/** A change plus the events watchers may need for it, built lazily and shared. */
export class HistoryEntry implements Change {
  readonly type: ChangeType;
  readonly key: string;
  readonly revision: number;
  readonly object: KubeObject;
  readonly prev?: KubeObject;
  private asIs?: WatchEvent;
  private asAdded?: WatchEvent;
  private asDeleted?: WatchEvent;

  constructor(change: Change) {
    this.type = change.type;
    this.key = change.key;
    this.revision = change.revision;
    this.object = change.object;
    if (change.prev !== undefined) this.prev = change.prev;
  }

  /** The event as it happened. */
  event(): WatchEvent {
    return (this.asIs ??= makeEvent(this.type, this.object, this.revision));
  }

  /**
   * The event a watcher with a predicate sees (kube-apiserver's cacher rules): a MODIFIED that makes the object
   * start matching is an ADDED, one that makes it stop matching a DELETED of the previous state at this revision.
   * undefined: nothing to send.
   */
  eventFor(predicate: ((obj: KubeObject) => boolean) | undefined): WatchEvent | undefined {
    if (predicate === undefined) return this.event();
    switch (this.type) {
      case "ADDED":
        return predicate(this.object) ? this.event() : undefined;
      case "DELETED":
        return predicate(this.prev ?? this.object) ? this.event() : undefined;
      case "MODIFIED": {
        const now = predicate(this.object);
        const before = this.prev !== undefined && predicate(this.prev);
        if (now && before) return this.event();
        if (now) return (this.asAdded ??= makeEvent("ADDED", this.object, this.revision));
        if (before && this.prev !== undefined) {
          return (this.asDeleted ??= makeEvent("DELETED", withRevision(this.prev, this.revision), this.revision));
        }
        return undefined;
      }
    }
  }
}

export const initialEventsEndAnnotation = "k8s.io/initial-events-end";

export function bookmarkEvent(revision: number, initialEventsEnd = false): WatchEvent {
  const metadata: KubeObject["metadata"] = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { [initialEventsEndAnnotation]: "true" };
  // Frozen like every other event object: it is shared by all watchers of one tick.
  return makeEvent("BOOKMARK", deepFreeze({ metadata }), revision);
}

/** Synthetic ADDED events for objects already there when a watch starts, one per object, reused by later watches. */
const initialEvents = new WeakMap<KubeObject, WatchEvent>();
export function initialAddedEvent(obj: KubeObject, revision: number): WatchEvent {
  let ev = initialEvents.get(obj);
  if (ev === undefined) {
    ev = makeEvent("ADDED", obj, revision);
    initialEvents.set(obj, ev);
  }
  return ev;
}
