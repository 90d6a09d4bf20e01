/**
 * Hostile input (issue 12): each class of malformed request answered as kube-apiserver 1.37 answers it, never
 * with a 5xx. Through the hub, some requests never reach us: the hub (itself a kube-apiserver) answers them;
 * each scenario says which side answers what.
 */
import { describe, expect, it } from "vitest";
import { AV, B, both, cs, direct, G, given, isOpen, Mismatches, patch, pd, post, profile, rawRequest, space } from "../support/differential-sides.js";

const nested = (depth: number, open: string, close: string, leaf = "1") => `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;
const b64 = (s: string) => Buffer.from(s).toString("base64url");
const withExtra = (name: string, raw: string) => `{"apiVersion":"${AV}","kind":"PlacementDecision","metadata":{"name":"${name}"},"schedulerName":"s","decisions":[],"extra":${raw}}`;

export function hostile(): void {
  describe("hostile input: JSON nested deep", () => {
    // Go refuses past 10,000 levels, the body's own object included (9,999 inside it is the deepest it accepts):
    // 400 `json parse error: invalid character '[' exceeded max depth`. Below that, a deep value under a field
    // the schema does not declare is pruned: 201 with the object without it.
    for (const [shape, open, close] of [["arrays", "[", "]"], ["objects", '{"a":', "}"]] as const) {
      for (const depth of [999, 2_000, 9_999, 10_000, 100_000]) {
        it(`a create body with ${shape} nested ${depth} deep`, async () => {
          const { PD } = await space("deep");
          const m = new Mismatches();
          const [a, b] = await both(`${PD}?dryRun=All`, { method: "POST", headers: { "content-type": "application/json" }, body: withExtra(`deep-${shape}-${depth}`, nested(depth, open, close)) });
          expect(a.status).toBe(depth < 10_000 ? 201 : 400);
          m.add(`${shape} ${depth}`, a, b);
          m.check();
        });
      }
    }

    it("merge and JSON patches carrying values nested up to 9,990 deep under undeclared fields: pruned", async () => {
      const { PD } = await space("deep");
      const m = new Mismatches();
      // (Arrays stay at 5,000 for the merge patch: kube-apiserver's merge of 9,990 nested arrays outlives its timeout.)
      for (const [shape, depth, open, close] of [["objects", 9_990, '{"a":', "}"], ["arrays", 5_000, "[", "]"]] as const) {
        const name = `deep-patched-${shape}`;
        await given(PD, pd(name));
        const value = nested(depth, open, close);
        for (const [what, init] of [
          ["merge, top level", patch("merge", `{"extra":${value}}`)],
          ["merge, inside a declared list item", patch("merge", `{"decisions":[{"clusterProfileRef":{"name":"m2","extra":${value}}}]}`)],
          ["json, add", patch("json", `[{"op":"add","path":"/extra","value":${value}}]`)],
          ["json, add inside a declared list item", patch("json", `[{"op":"add","path":"/decisions/0/extra","value":${value}}]`)],
        ] as const) {
          const [a, b] = await both(`${PD}/${name}`, { ...init, timeoutMs: 60_000 });
          expect(a.status, what).toBe(200);
          m.add(`${what}: ${shape} ${depth}`, a, b);
        }
      }
      m.check();
    });

    it("a value nested deep under x-kubernetes-preserve-unknown-fields (a ClusterProfile's status extension)", async () => {
      const { CP } = await space("deep");
      const m = new Mismatches();
      for (const depth of [900, 5_000]) {
        const name = `deep-ext-${depth}`;
        await given(CP, profile(name));
        const body = `{"status":{"accessProviders":[{"name":"p","cluster":{"server":"https://x","extensions":[{"name":"e","extension":{"deep":${nested(depth, "[", "]")}}}]}}]}}`;
        const [a, b] = await both(`${CP}/${name}/status`, { ...patch("merge", body), timeoutMs: 60_000 });
        expect(b.status).toBe(200);
        // Kept, so not flattened: past what our write path serves (1,000 levels) we refuse (open bug json-depth;
        // B's answer is then too deep for the comparison's own recursive normalizing, so both are asserted here).
        if (depth + 10 > 1_000 && isOpen("json-depth")) {
          expect([a.status, a.json.message]).toEqual([400, "the object provided is nested more than 1000 levels deep in fields its schema keeps: this server does not store values nested that deep"]);
          expect(b.body).toContain(nested(depth, "[", "]"));
          continue;
        }
        m.add(`status extension ${depth}`, a, b);
      }
      m.check();
    });

    it("a merge patch nested 10,001 deep: 400 `invalid JSON patch`", async () => {
      const { PD } = await space("deep");
      await given(PD, pd("deep-patched"));
      const [a, b] = await both(`${PD}/deep-patched`, patch("merge", `{"extra":${nested(10_001, "[", "]")}}`));
      const m = new Mismatches();
      m.add("merge patch", a, b);
      m.check();
    });
  });

  describe("hostile input: malformed query parameters", () => {
    const bad: Array<[string, string]> = [
      ["resourceVersion", "abc"],
      ["resourceVersion", "-1"],
      ["resourceVersion", "99999999999999999999999"],
      ["resourceVersionMatch", "Bogus"],
      ["limit", "abc"],
      ["limit", "-1"],
      ["limit", "1e3"],
      ["continue", "not-a-token"],
      // Go's base64 (illegal bytes, a lone last character), JSON syntax and type errors, then DecodeContinue's own.
      ["continue", "abc=def"],
      ["continue", "abcde"],
      ["continue", b64("{nope")],
      ["continue", b64('{"v":1}')],
      ["continue", b64('{"v":"meta.k8s.io/v1","rv":1.5,"start":"a"}')],
      ["continue", b64('{"v":"meta.k8s.io/v2","rv":1,"start":"a"}')],
      ["continue", b64('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}')],
      ["continue", b64('{"v":"meta.k8s.io/v1","rv":1,"start":"../x"}')],
      ["continue", "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0IjoiIn0"],
      ["timeoutSeconds", "abc"],
      ["timeoutSeconds", "-1"],
    ];
    for (const [verb, suffix] of [["get", "/p1?"], ["list", "?"], ["watch", "?watch=1&"]] as const) {
      it(`${verb} with a malformed resourceVersion, resourceVersionMatch, limit, continue or timeoutSeconds`, async () => {
        const { PD } = await space("bad-query");
        await given(PD, pd("p1"));
        const m = new Mismatches();
        // A watch with timeoutSeconds=-1 is left out: neither side ends it.
        for (const [k, v] of bad.filter(([k, v]) => !(verb === "watch" && k === "timeoutSeconds" && v === "-1"))) {
          // A watch that is accepted ends after a second.
          const bound = verb === "watch" && k !== "timeoutSeconds" ? "&timeoutSeconds=1" : "";
          const extra = k === "resourceVersionMatch" ? "&resourceVersion=1" : "";
          const [a, b] = await both(`${PD}${suffix}${k}=${encodeURIComponent(v)}${extra}${bound}`, { timeoutMs: 15_000 });
          const what = `${verb} ${k}=${v}`;
          if (verb !== "list" && k === "resourceVersion") {
            // kube-apiserver: a reason-less 500 (its storage's parse error); here 400 BadRequest, the same words.
            expect([a.status, b.status], what).toEqual([400, 500]);
            expect(a.json.message, what).toBe(b.json.message);
            continue;
          }
          const opts = verb === "watch" && a.status === 200 ? { documented: ["body"] } : {};
          m.add(what, a, b, opts);
        }
        m.check();
      });
    }
  });

  describe("hostile input: path segments kube-apiserver refuses", () => {
    const P = `${G}/namespaces/diff-paths/placementdecisions`;
    type Expect = "same" | { bug: string } | { documented: string };
    // [what, path, GET, POST]: "same", an open bug, or a difference kept on purpose (its reason).
    const cases: Array<[string, string, Expect, Expect]> = [
      // The hub answers (404 Status); kube-apiserver's CRD handler a plain-text `404 page not found`.
      ["an encoded slash in the namespace", `${G}/namespaces/a%2Fb/placementdecisions`, { documented: "the hub answers: a 404 Status, B a text 404" }, { documented: "the hub answers: a 404 Status, B a text 404" }],
      ["an encoded slash in the name", `${P}/a%2Fb`, "same", "same"],
      ["`..` as the namespace", `${G}/namespaces/../placementdecisions`, { documented: "B: a reason-less 500 (invalid key), ours 400" }, { documented: "B: a reason-less 500 (invalid resource name), ours 400" }],
      // A create reads the body's object: the URL's name is not used (here 409, x exists on both sides).
      ["`..` as the name", `${P}/..`, "same", "same"],
      ["`.` as the name", `${P}/.`, "same", "same"],
      ["encoded `..` as the name", `${P}/%2E%2E`, "same", "same"],
      ["another object's name", `${P}/other`, "same", "same"],
      // An empty namespace: GET lists all namespaces; a create without a namespace goes to B's text 404.
      ["an empty namespace segment", `${G}/namespaces//placementdecisions`, "same", { documented: "both 404: B a text 404, ours a 404 Status" }],
      // The name "" before a subresource PlacementDecision does not have: 404 naming "".
      ["an empty name segment", `${P}//status`, "same", "same"],
      // The collection: GET lists, POST creates.
      ["a trailing slash", `${P}/`, "same", "same"],
      ["trailing slashes", `${P}///`, "same", "same"],
    ];
    it("an update or patch of the collection path: 400 `name must be provided` (404 for a subresource PlacementDecision lacks)", async () => {
      const { PD } = await space("paths");
      await given(PD, pd("x"));
      const m = new Mismatches();
      for (const [p, status] of [[`${PD}/`, 400], [`${PD}//status`, 404]] as const) {
        for (const init of [{ method: "PUT", body: pd("x") }, patch("merge", { metadata: { labels: { a: "b" } } })]) {
          const [a, b] = await both(p, init);
          expect(a.status, `${init.method} ${p}`).toBe(status);
          m.add(`${init.method} ${p}`, a, b);
        }
      }
      m.check();
    });

    for (const [what, p, onGet, onPost] of cases) {
      it(`${what}: get and create`, async () => {
        const { PD } = await space("paths");
        await given(PD, pd("x"));
        const m = new Mismatches();
        for (const [init, want] of [[{}, onGet], [post(pd("x")), onPost]] as const) {
          const [a, b] = await both(p, init);
          const d = await direct(p, init);
          const label = `${init.method ?? "GET"} ${p}\n  ours directly ${d.status}: ${d.body.slice(0, 300)}`;
          expect(a.status, label).toBeLessThan(500);
          expect(d.status, label).toBeLessThan(500);
          if (want === "same") m.add(label, a, b);
          else if ("bug" in want) m.add(label, a, b, { unless: { [want.bug]: ["status", "contentType", "body"] } });
          else if (what.includes("slash") || what.includes("empty namespace")) expect([a.status, b.status], `${label}: ${want.documented}`).toEqual([404, 404]);
          else expect([a.status, b.status, a.json.message], `${label}: ${want.documented}`).toEqual([400, 500, 'Namespace parameter invalid: "..": may not be \'..\'']);
        }
        m.check();
      });
    }
  });

  describe("hostile input: too long", () => {
    // kube-apiserver's HTTP server takes request lines and headers up to 1 MiB (MaxHeaderBytes, plus Go's 4 KiB
    // slack) and answers a text/plain `431 Request Header Fields Too Large` beyond. Through the hub (itself a
    // kube-apiserver) the 1.1 MiB requests never reach us: A's 431 is the hub's. The 64 KiB ones pass the hub and we
    // answer them (200, as B). Straight on our port over HTTP/1.1 we answer as B does, byte for byte; over HTTP/2,
    // Node's limits answer first (open bug direct-header-limits).
    const frontProxy = () => ({ ca: cs.server.caPem, cert: cs.frontProxyClient.cert, key: cs.frontProxyClient.key });
    const asAdmin = { "x-remote-user": "admin", "x-remote-group": "system:masters" };
    const ours = (p: string, headers: Record<string, string> = {}) => rawRequest(cs.server.url, frontProxy(), p, { headers: { ...asAdmin, ...headers } });
    const oursHTTP2 = (p: string, headers: Record<string, string> = {}) => direct(p, { headers }).then((r) => r.status);
    // 1 MiB is sent straight only: through the hub it travels over HTTP/2 to us (open bug direct-header-limits).
    // B straight (HTTP/1.1) against ours straight (HTTP/1.1): status, content type and, for the 431, the body.
    const sameStraight = async (what: string, p: string, headers: Record<string, string>, status: number) => {
      const [o, b] = await Promise.all([ours(p, headers), B.request(p, { headers })]);
      expect([o.status, b.status], what).toEqual([status, status]);
      if (status === 431) expect([o.headers["content-type"], o.body], what).toEqual([b.headers["content-type"], b.body]);
      if (!isOpen("direct-header-limits")) expect(await oursHTTP2(p, headers), `${what} over HTTP/2`).toBe(status);
    };
    for (const [what, size, status] of [["64 KiB", 64 * 1024, 200], ["1 MiB", 1_000_000, 200], ["1.1 MiB", 1_100_000, 431]] as const) {
      it(`a URL of ${what}: ${status}`, async () => {
        const { PD } = await space("too-long");
        const p = `${PD}?ignored=${"a".repeat(size)}`;
        if (size !== 1_000_000) {
          const m = new Mismatches();
          const [a, b] = await both(p);
          expect([a.status, b.status]).toEqual([status, status]);
          m.add(`URL of ${what}`, a, b);
          m.check();
        }
        await sameStraight(`URL of ${what} straight`, p, {}, status);
      });

      it(`a header of ${what}: ${status}`, async () => {
        const { PD } = await space("too-long");
        const headers = { "x-filler": "a".repeat(size) };
        if (size !== 1_000_000) {
          const m = new Mismatches();
          const [a, b] = await both(PD, { headers });
          expect([a.status, b.status]).toEqual([status, status]);
          m.add(`header of ${what}`, a, b);
          m.check();
        }
        await sameStraight(`header of ${what} straight`, PD, headers, status);
      });
    }
  });

  describe("hostile input: YAML aliases that expand without bound", () => {
    it("a billion-laughs apply body", async () => {
      const { PD } = await space("laughs");
      const levels = "abcdefghi".split("");
      const yaml = [
        `apiVersion: ${AV}`,
        "kind: PlacementDecision",
        "metadata:",
        "  name: laughs",
        "schedulerName: s",
        "decisions: []",
        `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`,
        ...levels.slice(1).map((l, i) => `${l}: &${l} [${Array(9).fill(`*${levels[i]}`).join(",")}]`),
      ].join("\n");
      const m = new Mismatches();
      const [a, b] = await both(`${PD}/laughs?fieldManager=m`, { ...patch("apply", yaml), timeoutMs: 30_000 });
      m.add("billion laughs", a, b);
      m.check();
    });
  });

  describe("hostile input: patches of metadata itself", () => {
    const cases: Array<[string, "json" | "merge", unknown]> = [
      ["JSON patch replacing /metadata with a string", "json", [{ op: "replace", path: "/metadata", value: "x" }]],
      ["JSON patch removing /metadata", "json", [{ op: "remove", path: "/metadata" }]],
      ["JSON patch adding /metadata as an array", "json", [{ op: "add", path: "/metadata", value: [] }]],
      ["JSON patch moving a value into its own child", "json", [{ op: "move", from: "/decisions", path: "/decisions/0/x" }]],
      ["JSON patch moving /metadata into its own child", "json", [{ op: "move", from: "/metadata", path: "/metadata/labels/x" }]],
      ["merge patch setting metadata to a string", "merge", { metadata: "x" }],
      ["merge patch setting metadata to null", "merge", { metadata: null }],
      ["merge patch that is a string", "merge", "x"],
    ];
    for (const [what, type, body] of cases) {
      it(what, async () => {
        const { PD } = await space("metadata-patch");
        await given(PD, pd("patched"));
        const m = new Mismatches();
        const [a, b] = await both(`${PD}/patched`, patch(type, type === "merge" && typeof body === "string" ? JSON.stringify(body) : body));
        m.add(what, a, b);
        const [ga, gb] = await both(`${PD}/patched`);
        m.add(`${what}: the object after`, ga, gb);
        m.check();
      });
    }
  });

  describe("hostile input: CBOR", () => {
    it("Accept: application/cbor (406: the CBOR serializer is off for custom resources in 1.37)", async () => {
      const { PD } = await space("cbor");
      await given(PD, pd("c1"));
      const m = new Mismatches();
      for (const p of [`${PD}/c1`, PD]) {
        const [a, b] = await both(p, { headers: { accept: "application/cbor" } });
        m.add(`GET ${p}`, a, b, { unless: { "media-type-list": ["body.message"] } });
      }
      m.check();
    });

    it("Content-Type: application/cbor (415)", async () => {
      const { PD } = await space("cbor");
      const m = new Mismatches();
      // {"a":1} in CBOR: the bytes do not matter, the media type is refused first.
      const [a, b] = await both(PD, { method: "POST", headers: { "content-type": "application/cbor" }, body: Buffer.from([0xa1, 0x61, 0x61, 0x01]) });
      m.add("POST", a, b, { unless: { "media-type-list": ["body.message"] } });
      m.check();
    });
  });
}
