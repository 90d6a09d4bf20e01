/** Lists: label and field selectors, paging, resourceVersion options. */
import { describe, expect, it } from "vitest";
import { both, G, given, pd, per, same, space, type Json, type Space } from "../support/differential-sides.js";

/** Its own namespace with alpha (tier gold), beta (tier silver) and gamma (no labels), on both sides. */
async function three(tag: string): Promise<Space> {
  const s = await space(`list-${tag}`);
  await given(s.PD, pd("alpha", { labels: { tier: "gold", m: "1" } }));
  await given(s.PD, pd("beta", { labels: { tier: "silver" } }));
  await given(s.PD, pd("gamma"));
  return s;
}

export function lists(): void {
  describe("list", () => {
    it("labelSelector (equality): 200 with the matching items", async () => {
      const { PD } = await three("equality");
      const [a, b] = await both(`${PD}?labelSelector=${encodeURIComponent("tier=gold")}`);
      expect(a.status).toBe(200);
      expect(a.json.items.map((i: Json) => i.metadata.name)).toEqual(["alpha"]);
      same(a, b);
    });

    it("labelSelector (set-based, exists, not exists)", async () => {
      const { PD } = await three("set-based");
      const [a, b] = await both(`${PD}?labelSelector=${encodeURIComponent("tier in (gold,silver),!nope,tier,m notin (2)")}`);
      expect(a.json.items).toHaveLength(2);
      same(a, b);
    });

    it("labelSelector `tier in ()` reads as the empty value", async () => {
      const { PD } = await three("empty-in");
      const [a, b] = await both(`${PD}?labelSelector=${encodeURIComponent("tier in ()")}`);
      expect(a.status).toBe(200);
      same(a, b);
    });

    it("a labelSelector that does not parse: 400 BadRequest", async () => {
      const { PD } = await space("list");
      // Each of the parser's error paths: tokens out of place, key and value rules, Gt/Lt integers, aggregated errors.
      const malformed = ["tier=a b", "a=b=c", "tier in (", "Bad Key=x", "=x", "a,", ",a", "!", "a!b", "a in b", "a in (b c)", "a in (b))", "a=(b)", "!a=b", "a>b", "a>-b", "a/b/c=1", "/a=1", `${"k".repeat(64)}=1`, `a=${"v".repeat(64)}`, "a notin (x,-y,-z)", "a=\u00a0"];
      for (const sel of malformed) {
        const [a, b] = await both(`${PD}?labelSelector=${encodeURIComponent(sel)}`);
        expect(a.status, sel).toBe(400);
        same(a, b, { what: sel });
      }
    });

    it("a labelSelector with an invalid value: 400 BadRequest", async () => {
      const { PD } = await space("list");
      const [a, b] = await both(`${PD}?labelSelector=${encodeURIComponent("tier=-x")}`);
      expect(a.status).toBe(400);
      same(a, b);
    });

    it("fieldSelector metadata.name", async () => {
      const { PD } = await three("field-name");
      const [a, b] = await both(`${PD}?fieldSelector=${encodeURIComponent("metadata.name=alpha")}`);
      expect(a.json.items).toHaveLength(1);
      same(a, b);
    });

    it("fieldSelector metadata.namespace across namespaces", async () => {
      const { ns } = await three("field-namespace");
      const [a, b] = await both(`${G}/placementdecisions?fieldSelector=${encodeURIComponent(`metadata.namespace=${ns}`)}`);
      expect(a.json.items).toHaveLength(3);
      same(a, b);
    });

    it("an unsupported field selector: 400, `field label not supported: spec.x`", async () => {
      const { PD } = await space("list");
      const [a, b] = await both(`${PD}?fieldSelector=${encodeURIComponent("spec.x=1")}`);
      expect(a.status).toBe(400);
      expect(a.json.message).toBe("field label not supported: spec.x");
      same(a, b);
    });

    it("a field selector that does not parse: 400", async () => {
      const { PD } = await space("list");
      const [a, b] = await both(`${PD}?fieldSelector=metadata.name`);
      expect(a.status).toBe(400);
      same(a, b);
    });

    it("limit and continue: the token works, pages match, remainingItemCount matches", async () => {
      const { PD } = await three("paging");
      const [a1, b1] = await both(`${PD}?limit=2`);
      expect(a1.json.metadata.continue).toBeTruthy();
      expect(a1.json.metadata.remainingItemCount).toBe(1);
      same(a1, b1);
      const token = per<string>(encodeURIComponent(a1.json.metadata.continue), encodeURIComponent(b1.json.metadata.continue));
      const [a2, b2] = await both((s) => `${PD}?limit=2&continue=${token(s)}`);
      expect(a2.status).toBe(200);
      expect(a2.json.items).toHaveLength(1);
      same(a2, b2);
      // The continue token with a resourceVersion: 400; with resourceVersionMatch: 422.
      const [a3, b3] = await both((s) => `${PD}?limit=2&resourceVersion=5&continue=${token(s)}`);
      expect(a3.status).toBe(400);
      expect(a3.json.message).toBe("specifying resource version is not allowed when using continue");
      same(a3, b3);
      const [a4, b4] = await both((s) => `${PD}?limit=2&resourceVersion=5&resourceVersionMatch=NotOlderThan&continue=${token(s)}`);
      expect(a4.status).toBe(422);
      same(a4, b4);
      // resourceVersion 0 with a continue token is allowed.
      const [a5, b5] = await both((s) => `${PD}?limit=2&resourceVersion=0&continue=${token(s)}`);
      expect(a5.status).toBe(200);
      same(a5, b5);
    });

    it("resourceVersionMatch without resourceVersion: 422 ListOptions", async () => {
      const { PD } = await space("list");
      const [a, b] = await both(`${PD}?resourceVersionMatch=NotOlderThan`);
      expect(a.status).toBe(422);
      expect(a.json.message).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
      same(a, b);
    });

    it("resourceVersionMatch=Exact with resourceVersion 0: 422", async () => {
      const { PD } = await space("list");
      const [a, b] = await both(`${PD}?resourceVersionMatch=Exact&resourceVersion=0`);
      expect(a.status).toBe(422);
      same(a, b);
    });

    it("an unknown resourceVersionMatch: 422", async () => {
      const { PD } = await space("list");
      const [a, b] = await both(`${PD}?resourceVersionMatch=Bogus&resourceVersion=5`);
      expect(a.status).toBe(422);
      same(a, b);
    });
  });
}
