/** Conformance: get, create, guaranteedUpdate, delete, preconditions, durability of revisions. */
import { expect, it } from "vitest";
import type { KubeObject } from "../interface.js";
import { expectStorageError, obj, rv, type StoreHarness } from "./harness.js";

export function crudCases(h: () => StoreHarness): void {
  it("create stores a private, frozen copy with a new revision; get returns it", async () => {
    const { store } = h();
    const before = await store.currentRevision();
    const input = obj("a", { spec: { size: 1 } });
    const created = await store.create("/things/ns/a", input);
    expect(rv(created)).toBeGreaterThan(before);
    expect(await store.currentRevision()).toBe(rv(created));
    expect(created.spec).toEqual({ size: 1 });
    expect(input.metadata.resourceVersion).toBeUndefined(); // the caller's object is left alone
    (input.spec as { size: number }).size = 99; // ...and not kept
    const got = await store.get("/things/ns/a");
    expect(got.spec).toEqual({ size: 1 });
    expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(Object.isFrozen(got) && Object.isFrozen(got.metadata) && Object.isFrozen(got.spec)).toBe(true);
    expect(() => {
      (got.metadata as { name?: string }).name = "changed";
    }).toThrow(TypeError);
  });

  it("answers AlreadyExists and NotFound", async () => {
    const { store } = h();
    await store.create("/things/ns/a", obj("a"));
    await expectStorageError(store.create("/things/ns/a", obj("a")), "AlreadyExists");
    await expectStorageError(store.get("/things/ns/missing"), "NotFound");
    await expectStorageError(store.delete("/things/ns/missing"), "NotFound");
    await expectStorageError(
      store.guaranteedUpdate("/things/ns/missing", (cur) => cur),
      "NotFound",
    );
  });

  it("guaranteedUpdate stores what tryUpdate returns; the same object stores nothing; a throw aborts", async () => {
    const { store } = h();
    const created = await store.create("/things/ns/a", obj("a", { spec: { n: 0 } }));
    const updated = await store.guaranteedUpdate("/things/ns/a", (cur) => ({ ...cur, spec: { n: 1 } }));
    expect(rv(updated)).toBeGreaterThan(rv(created));
    expect(updated.spec).toEqual({ n: 1 });
    const same = await store.guaranteedUpdate("/things/ns/a", (cur) => cur);
    expect(same.metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
    expect(await store.currentRevision()).toBe(rv(updated));
    await expect(
      store.guaranteedUpdate("/things/ns/a", () => {
        throw new Error("refused by tryUpdate");
      }),
    ).rejects.toThrow("refused by tryUpdate");
    expect((await store.get("/things/ns/a")).spec).toEqual({ n: 1 });
  });

  it("guaranteedUpdate retries with the newer object when a write races in", async () => {
    const { store } = h();
    await store.create("/things/ns/a", obj("a", { spec: { mine: 0, theirs: 0 } }));
    const seen: KubeObject[] = [];
    const result = await store.guaranteedUpdate("/things/ns/a", async (cur) => {
      seen.push(cur);
      if (seen.length === 1) {
        // Another writer gets in between our read and our write.
        await store.guaranteedUpdate("/things/ns/a", (c) => ({ ...c, spec: { ...(c.spec as object), theirs: 1 } }));
      }
      return { ...cur, spec: { ...(cur.spec as object), mine: 1 } };
    });
    expect(seen.length).toBe(2);
    expect(seen[1]!.spec).toEqual({ mine: 0, theirs: 1 });
    expect(result.spec).toEqual({ mine: 1, theirs: 1 });
    expect((await store.get("/things/ns/a")).spec).toEqual({ mine: 1, theirs: 1 });
  });

  it("concurrent guaranteedUpdates all land, each at its own revision", async () => {
    const { store } = h();
    await store.create("/things/ns/counter", obj("counter", { spec: { n: 0 } }));
    const bump = (cur: KubeObject) => ({ ...cur, spec: { n: (cur.spec as { n: number }).n + 1 } });
    const results = await Promise.all(Array.from({ length: 16 }, () => store.guaranteedUpdate("/things/ns/counter", bump)));
    expect(new Set(results.map(rv)).size).toBe(16);
    expect((await store.get("/things/ns/counter")).spec).toEqual({ n: 16 });
  });

  it("checks uid and resourceVersion preconditions (Conflict)", async () => {
    const { store } = h();
    const a = await store.create("/things/ns/a", obj("a"));
    const bump = (cur: KubeObject) => ({ ...cur, spec: { touched: true } });
    await expectStorageError(store.guaranteedUpdate("/things/ns/a", bump, { uid: "other" }), "Conflict");
    await expectStorageError(store.guaranteedUpdate("/things/ns/a", bump, { resourceVersion: "1" }), "Conflict");
    await expectStorageError(store.delete("/things/ns/a", { uid: "other" }), "Conflict");
    await expectStorageError(store.delete("/things/ns/a", { resourceVersion: "1" }), "Conflict");
    expect((await store.get("/things/ns/a")).metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    const pre = { uid: "uid-a", resourceVersion: a.metadata.resourceVersion! };
    const b = await store.guaranteedUpdate("/things/ns/a", bump, pre);
    expect(b.spec).toEqual({ touched: true });
    await store.delete("/things/ns/a", { uid: "uid-a", resourceVersion: b.metadata.resourceVersion! });
    await expectStorageError(store.get("/things/ns/a"), "NotFound");
  });

  it("delete returns the last state at the delete's revision", async () => {
    const { store } = h();
    await store.create("/things/ns/a", obj("a", { spec: { v: 1 } }));
    const last = await store.guaranteedUpdate("/things/ns/a", (cur) => ({ ...cur, spec: { v: 2 } }));
    const deleted = await store.delete("/things/ns/a");
    expect(deleted.spec).toEqual({ v: 2 });
    expect(deleted.metadata.uid).toBe("uid-a");
    expect(rv(deleted)).toBeGreaterThan(rv(last));
    expect(await store.currentRevision()).toBe(rv(deleted));
    await expectStorageError(store.get("/things/ns/a"), "NotFound");
  });

  it("32 concurrent creates all succeed at distinct revisions", async () => {
    const { store } = h();
    const made = await Promise.all(
      Array.from({ length: 32 }, (_, i) => store.create(`/things/ns/c${String(i).padStart(2, "0")}`, obj(`c${i}`))),
    );
    expect(new Set(made.map(rv)).size).toBe(32);
    expect((await store.list("/things/ns/")).items.length).toBe(32);
  });

  it("revisions survive a restart and keep rising", async () => {
    const harness = h();
    await harness.store.create("/things/ns/a", obj("a"));
    const b = await harness.store.create("/things/ns/b", obj("b"));
    const reopened = await harness.reopen();
    expect(await reopened.currentRevision()).toBeGreaterThanOrEqual(rv(b));
    expect((await reopened.get("/things/ns/b")).metadata.resourceVersion).toBe(b.metadata.resourceVersion);
    const c = await reopened.create("/things/ns/c", obj("c"));
    expect(rv(c)).toBeGreaterThan(rv(b));
    expect((await reopened.list("/things/ns/")).items.map((o) => o.metadata.name)).toEqual(["a", "b", "c"]);
  });
}
