/**
 * The two object helpers every floor needs (storage freezes what it shares, validation freezes its schemas, the
 * controllers and members read untyped JSON): one definition each, below every folder, importing nothing.
 */

/** A JSON object (not null, not an array): what `metadata`, `spec` and a manifest must be. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Freezes `value` and everything it reaches (already frozen parts are taken as frozen throughout); returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
