/**
 * Differential: the same raw HTTP requests, as the admin user, to
 *   A: our server behind a real hub (kube-apiserver v1.37.2, our APIService), and
 *   B: a plain kube-apiserver v1.37.2 serving the upstream PlacementDecision and ClusterProfile CRDs,
 * and the answers compared after normalization (support/differential.ts: uids, timestamps, resourceVersions,
 * continue tokens and generated name suffixes are checked for format, everything else compared as is).
 *
 * This file is the single entry: it starts A and B once (support/differential-sides.ts) and registers the
 * scenario modules of test/e2e/differential/. Every scenario makes its own namespace and objects, so each runs
 * alone: `npx vitest run --project e2e test/e2e/differential.test.ts -t '<its name>'`.
 *
 * A must equal B, except where a difference is
 *   - documented: kept on purpose (our extra Table columns, DESIGN.md; a 400 where kube-apiserver answers a
 *     reason-less 500; storage internals kube-apiserver puts in a message; what only the hub answers). Those
 *     scenarios assert both sides side by side, with the reason;
 *   - an open bug of ours, listed in OPEN_BUGS: only the part of the answer it affects is left out of the
 *     comparison. Fixing one means deleting its id here; the scenarios then assert that part too.
 * DIFFERENTIAL_STRICT=1 compares the open bugs' parts too: each shows as a failure (to check a fix).
 */
import { useDifferentialSides } from "./support/differential-sides.js";
import { apply } from "./differential/apply.js";
import { clusterProfiles } from "./differential/clusterprofile.js";
import { createAndGet } from "./differential/create-get.js";
import { deletes } from "./differential/delete.js";
import { fieldValidation } from "./differential/field-validation.js";
import { hostile } from "./differential/hostile.js";
import { lists } from "./differential/list.js";
import { patches } from "./differential/patch.js";
import { tables } from "./differential/table.js";
import { update } from "./differential/update.js";
import { validation } from "./differential/validation.js";
import { watches, watchTooOld } from "./differential/watch.js";

/** Our bugs found by this comparison: id → what differs. While listed, the affected part is not compared. */
const OPEN_BUGS = new Map<string, string>([
  [
    "media-type-list",
    "406 and 415 messages: kube-apiserver lists its serializers (json, yaml, protobuf); ours list what we accept (no protobuf). Kept on purpose: naming protobuf would send a client to a form we refuse",
  ],
  [
    "json-depth",
    "JSON values nested more than 1,000 levels deep that pruning keeps (under x-kubernetes-preserve-unknown-fields, or in declared fields such as labels): kube-apiserver stores them (up to Go's 10,000), we answer 400 (our write path recurses per level: structuredClone, deep equality, managed fields, storage encoding); deep values under undeclared fields are pruned first and work to 10,000",
  ],
  [
    "direct-header-limits",
    "straight on our port over HTTP/2 (not through the hub, and not HTTP/1.1, which now matches byte for byte): Node 20's http2 server refuses a header list over about 64 KiB with RST_STREAM REFUSED_STREAM whatever SETTINGS_MAX_HEADER_LIST_SIZE it advertises, and a single header field over 64 KiB ends the whole session with COMPRESSION_ERROR (nghttp2's HPACK limit); kube-apiserver (Go's http2 server) takes up to 1 MiB and answers 431 on the stream beyond. Neither limit is reachable from Node's API. The hub talks HTTP/2 to us, so through the hub a request whose headers pass the hub's own 1 MiB limit but not ours (a 1 MB header) gets no answer until the client gives up (seen: 30 s)",
  ],
]);

useDifferentialSides(OPEN_BUGS);

createAndGet();
validation();
update();
patches();
apply();
lists();
deletes();
fieldValidation();
watches();
tables();
clusterProfiles();
hostile();
// Last: it restarts our server.
watchTooOld();
