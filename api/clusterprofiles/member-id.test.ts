import { describe, expect, it } from "vitest";
import type { MemberView } from "../../members/member-view.js";
import { MemberIdClaims, memberId } from "./member-id.js";

const UID = "0c3c5b0e-7b0c-4c3e-9d8f-1b2a3c4d5e6f";
const view = (over: Partial<MemberView>): MemberView =>
  ({ name: "east", namespace: "fleet", propertiesSynced: true, properties: [], kubeSystemUid: UID, ...over }) as MemberView;
const prop = (value: string) => [{ name: "cluster.clusterset.k8s.io", value, firstSeen: "2025-01-01T00:00:00Z" }];

describe("memberId", () => {
  it("is the cluster.clusterset.k8s.io property when valid, else the kube-system uid", () => {
    expect(memberId(view({ properties: prop("east-1") }), undefined)).toBe("east-1");
    expect(memberId(view({}), undefined)).toBe(UID);
    // Not a label value (too long, or not alphanumeric at the ends): the uid, which always is one.
    expect(memberId(view({ properties: prop("x".repeat(64)) }), undefined)).toBe(UID);
    expect(memberId(view({ properties: prop("-east") }), undefined)).toBe(UID);
  });

  it("keeps the stored id until the properties are listed, and over the uid", () => {
    expect(memberId(view({ propertiesSynced: false, properties: prop("new") }), "old")).toBe("old");
    expect(memberId(view({ propertiesSynced: false }), undefined)).toBeUndefined();
    expect(memberId(view({}), "old")).toBe("old");
    expect(memberId(view({ properties: prop("new") }), "old")).toBe("new");
    expect(memberId(view({ kubeSystemUid: undefined }), undefined)).toBeUndefined();
  });
});

describe("MemberIdClaims", () => {
  it("gives an id to its first claimant in a namespace only, until it leaves", () => {
    const c = new MemberIdClaims();
    expect(c.claim("fleet/a", "id-1")).toBe(true);
    expect(c.claim("fleet/a", "id-1")).toBe(true);
    expect(c.claim("fleet/b", "id-1")).toBe(false);
    expect(c.claim("other/b", "id-1")).toBe(true); // another namespace is another inventory
    expect(c.holder("fleet", "id-1")).toBe("fleet/a");
    c.release("fleet/a");
    expect(c.claim("fleet/b", "id-1")).toBe(true);
    expect(c.holder("fleet", "id-1")).toBe("fleet/b");
  });

  it("moves a key's claim when its id changes, and a refused key holds nothing", () => {
    const c = new MemberIdClaims();
    c.claim("fleet/a", "id-1");
    c.claim("fleet/a", "id-2");
    expect(c.holder("fleet", "id-1")).toBeUndefined();
    c.claim("fleet/b", "id-3");
    expect(c.claim("fleet/b", "id-2")).toBe(false);
    expect(c.holder("fleet", "id-3")).toBeUndefined();
    expect(c.claim("fleet/c", undefined)).toBe(true);
    expect(c.idOf("fleet/a")).toBe("id-2");
    expect(c.idOf("fleet/b")).toBeUndefined();
    expect(c.idOf("fleet/c")).toBeUndefined();
  });
});
