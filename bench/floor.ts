/**
 * The floor's capture: after the load, the exact bytes A serves through its hub for every request the LIST and
 * watch workloads make (plain LIST, resourceVersion=0, Table, limit=1, each page of the paged walk by A's own
 * continue tokens), A's reply to the watch workload's PATCH and the MODIFIED event line A sends its watchers
 * for it. The floor (bench/floor-server.ts) hands out these bytes; see targets.ts (startFloor).
 */
import { closeSession, connect, expectStatus, openWatch, request, type Reply, type Session } from "./client.js";
import { COLLECTION, profileName } from "./fixtures.js";
import type { CapturedBody, FloorCapture, Target } from "./targets.js";
import { CONTINUE, TABLE_ACCEPT } from "./workloads/list.js";

/** The label value of the captured event; the floor puts each trigger's value in its place. */
export const EVENT_MARKER = "floor-capture-marker-0f1e";

const body = (r: Reply): CapturedBody => ({ body: r.body!, contentType: r.contentType || "application/json" });

async function get(s: Session, path: string, what: string, accept?: string): Promise<Reply> {
  return expectStatus(await request(s, { path, keepBody: true, ...(accept ? { accept } : {}) }), [200], `capture for the floor: ${what}`);
}

/**
 * Captures from `a` (through its hub). First the event (a label PATCH on the object the watch workload patches),
 * then the LISTs, so that the LIST bytes are the ones A serves in its own LIST rounds, which follow.
 */
export async function captureForFloor(a: Target, pageLimit: number): Promise<FloorCapture> {
  const s = await connect(a.endpoint);
  try {
    const rvReply = await get(s, `${COLLECTION}?limit=1`, "LIST limit=1 (for the watch's resourceVersion)");
    const rv = (JSON.parse(rvReply.body!.toString("utf8")) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
    if (!rv) throw new Error("capture for the floor: LIST limit=1 returned no resourceVersion");
    const marker = Buffer.from(`"bench-tick":"${EVENT_MARKER}"`);
    let line: Buffer | undefined;
    let got: (() => void) | undefined;
    const arrived = new Promise<void>((resolve, reject) => {
      got = resolve;
      setTimeout(() => reject(new Error("capture for the floor: no watch event from A within 30 s")), 30_000).unref();
    });
    const w = await openWatch(s, `${COLLECTION}?watch=1&resourceVersion=${rv}&timeoutSeconds=120`, (l) => {
      if (!line && l.includes(marker)) {
        line = Buffer.concat([l, Buffer.from("\n")]);
        got?.();
      }
    });
    let patched: Reply;
    try {
      patched = expectStatus(
        await request(s, {
          method: "PATCH",
          path: `${COLLECTION}/${profileName(0)}`,
          body: Buffer.from(JSON.stringify({ metadata: { labels: { "bench-tick": EVENT_MARKER } } })),
          contentType: "application/merge-patch+json",
          keepBody: true,
        }),
        [200],
        "capture for the floor: PATCH",
      );
      await arrived;
    } finally {
      w.destroy();
    }

    const full = await get(s, COLLECTION, "LIST");
    const rv0 = await get(s, `${COLLECTION}?resourceVersion=0`, "LIST resourceVersion=0");
    const table = await get(s, COLLECTION, "LIST as Table", TABLE_ACCEPT);
    const limit1 = await get(s, `${COLLECTION}?limit=1`, "LIST limit=1");
    const pages: FloorCapture["pages"] = [];
    let token = "";
    for (;;) {
      const r = await get(s, `${COLLECTION}?limit=${pageLimit}${token ? `&continue=${encodeURIComponent(token)}` : ""}`, `paged LIST page ${pages.length + 1}`);
      pages.push({ token, ...body(r) });
      token = (CONTINUE.exec(r.head) ?? CONTINUE.exec(r.tail))?.[1] ?? "";
      if (!token) break;
      if (pages.some((p) => p.token === token)) throw new Error(`capture for the floor: continue token ${token} repeats`);
      if (pages.length > 10_000) throw new Error("capture for the floor: the paged LIST did not end after 10,000 pages");
    }
    return {
      collection: COLLECTION,
      full: body(full),
      rv0: body(rv0),
      table: body(table),
      limit1: body(limit1),
      pageLimit,
      pages,
      object: body(patched),
      event: { body: line!, contentType: "application/json" },
      eventMarker: EVENT_MARKER,
    };
  } finally {
    await closeSession(s);
  }
}

/**
 * The floor through its hub answers what A answered: the same byte counts for a plain LIST, a Table and the
 * whole paged walk (the hub passes bodies through). Returns the differences, in words.
 */
export async function checkFloor(floor: Target, c: FloorCapture): Promise<string[]> {
  const s = await connect(floor.endpoint);
  const diffs: string[] = [];
  try {
    const same = (what: string, got: Reply, want: CapturedBody) => {
      if (got.status !== 200 || !got.body!.equals(want.body)) diffs.push(`the floor's ${what} through its hub differs from A's (HTTP ${got.status}, ${got.bytes} bytes; A: ${want.body.length} bytes)`);
    };
    same("LIST", await request(s, { path: COLLECTION, keepBody: true }), c.full);
    same("Table LIST", await request(s, { path: COLLECTION, keepBody: true, accept: TABLE_ACCEPT }), c.table);
    for (const p of c.pages) {
      same(`page ${p.token ? `continue=${p.token.slice(0, 16)}…` : "1"}`, await request(s, { path: `${COLLECTION}?limit=${c.pageLimit}${p.token ? `&continue=${encodeURIComponent(p.token)}` : ""}`, keepBody: true }), p);
    }
  } finally {
    await closeSession(s);
  }
  return diffs;
}
