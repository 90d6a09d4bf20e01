import { describe, expect, it } from "vitest";
import { ago, formatTable, memberStatuses } from "./fleet-status.js";
import { leavePlan, LeaveError } from "./leave-plan.js";
import type { ProfileLike, WorkLike } from "./objects.js";

const NOW = new Date("2026-12-06T12:00:00Z");
const profile = (ns: string, name: string, healthy: string, extra: Partial<ProfileLike["metadata"]> = {}): ProfileLike => ({
  metadata: { namespace: ns, name, annotations: { "clusterset.dev/secret": `${ns}/${name}-kc` }, ...extra },
  status: {
    version: { kubernetes: "v1.37.2" },
    conditions: [{ type: "ControlPlaneHealthy", status: healthy, lastTransitionTime: "2026-12-06T11:55:00Z" }],
    properties: [{ name: "clusterset.dev/node-count", value: "3" }],
  },
});
const work = (ns: string, name: string, cluster: string, applied: string | undefined): WorkLike => ({
  metadata: { namespace: ns, name, labels: { "clusterset.dev/cluster": cluster } },
  ...(applied ? { status: { conditions: [{ type: "Applied", status: applied }] } } : {}),
});

describe("status", () => {
  it("counts each member's Works applied and failed, by namespace and cluster label", () => {
    const rows = memberStatuses(
      [profile("fleet", "west", "False"), profile("fleet", "east", "True"), profile("other", "east", "True")],
      [work("fleet", "a", "east", "True"), work("fleet", "b", "east", "False"), work("fleet", "c", "east", undefined), work("other", "d", "east", "True"), work("fleet", "e", "west", "False")],
    );
    expect(rows.map((r) => [r.namespace, r.name, r.healthy, r.applied, r.failed])).toEqual([
      ["fleet", "east", "True", 1, 1],
      ["fleet", "west", "False", 0, 1],
      ["other", "east", "True", 1, 0],
    ]);
    expect(rows[0]).toMatchObject({ version: "v1.37.2", nodes: "3", since: "2026-12-06T11:55:00Z" });
  });

  it("lays the table out as kubectl does", () => {
    const out = formatTable(memberStatuses([profile("fleet", "east", "True")], []), NOW);
    expect(out).toBe(
      "NAMESPACE   NAME   HEALTHY   SINCE                       VERSION   NODES   WORKS APPLIED   WORKS FAILED\n" +
        "fleet       east   True      2026-12-06T11:55:00Z (5m)   v1.37.2   3       0               0\n",
    );
    expect(formatTable([], NOW)).toBe("No members found.\n");
  });

  it("says ages as kubectl does", () => {
    expect(ago("2026-12-06T11:59:15Z", NOW)).toBe("45s");
    expect(ago("2026-12-06T09:00:00Z", NOW)).toBe("3h");
    expect(ago("2026-12-01T12:00:00Z", NOW)).toBe("5d");
  });
});

describe("leave", () => {
  it("names the Secret, the profile and the Works that target the member", () => {
    const plan = leavePlan(profile("fleet", "east", "True"), [work("fleet", "b", "east", "True"), work("fleet", "a", "east", undefined), work("fleet", "x", "west", "True")]);
    expect(plan.secret).toBe("fleet/east-kc");
    expect(plan.text).toContain("Secret fleet/east-kc (the member's kubeconfig)");
    expect(plan.text).toContain("  ClusterProfile fleet/east\n");
    expect(plan.text).toMatch(/2 Work\(s\) target it.*: a, b\n$/);
  });

  it("an adopted profile stays; a profile nobody joined cannot leave", () => {
    const adopted = profile("fleet", "east", "True", { annotations: { "clusterset.dev/secret": "fleet/east", "clusterset.dev/adopted": "true" } });
    expect(leavePlan(adopted, []).text).toContain("ClusterProfile fleet/east stays (it was adopted), with Joined=False");
    expect(() => leavePlan({ metadata: { namespace: "fleet", name: "theirs" } }, [])).toThrow(LeaveError);
  });
});
