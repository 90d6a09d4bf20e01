/**
 * What registry tests share: the store the server runs on (openStore's watch cache over a level backend in a
 * throwaway directory, opened before each test and removed after), a request context, and the Status a
 * failing verb throws.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach } from "vitest";
import { StatusError, type RequestContext } from "../resources/rest.js";
import { openStore, type Store } from "../storage/index.js";

/** A fresh level store per test; call the returned function inside a test (or a later beforeEach). */
export function useLevelStore(): () => Store {
  let dir = "";
  let store: Store | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "registry-"));
    store = await openStore({ backend: "level", dataDir: dir });
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!store) throw new Error("the store is open only inside a test");
    return store;
  };
}

export const requestContext = (extra: Partial<RequestContext> = {}): RequestContext => ({
  user: { name: "u", groups: [], extra: {} },
  namespace: "ns",
  dryRun: false,
  fieldValidation: "Strict",
  warnings: [],
  ...extra,
});

/** The Status that `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function failure(p: Promise<unknown>): Promise<StatusError["status"]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StatusError) return e.status;
    throw e;
  }
  throw new Error("expected a Status error");
}
