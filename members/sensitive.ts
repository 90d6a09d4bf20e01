/**
 * A box for credentials (kubeconfig bytes). Member sources travel through watchers, diffs and log calls; if one
 * is ever logged, serialized or printed by a test failure, the box shows "[redacted]" instead of the bytes.
 * Only code that really needs the secret calls `reveal()`.
 */
import { inspect } from "node:util";

export class Sensitive<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toJSON(): string {
    return "[redacted]";
  }

  toString(): string {
    return "[redacted]";
  }

  [inspect.custom](): string {
    return "[redacted]";
  }
}

/** Equality of two boxed byte strings without revealing them to the caller. */
export function sameBytes(a: Sensitive<Buffer> | undefined, b: Sensitive<Buffer> | undefined): boolean {
  if (!a || !b) return a === b;
  return a.reveal().equals(b.reveal());
}
