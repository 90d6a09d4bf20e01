import { describe, expect, it } from "vitest";
import { age, humanDuration } from "./columns.js";
import { clusterProfileColumns } from "./clusterprofiles/columns.js";
import { workColumns } from "./works/columns.js";

describe("columns", () => {
  it("prints ages as kubectl does", () => {
    expect(humanDuration(5)).toBe("5s");
    expect(humanDuration(119)).toBe("119s");
    expect(humanDuration(150)).toBe("2m30s");
    expect(humanDuration(3600 * 2 + 60 * 5)).toBe("125m");
    expect(humanDuration(3600 * 5 + 60)).toBe("5h1m");
    expect(humanDuration(3600 * 30)).toBe("30h");
    expect(humanDuration(86400 * 3)).toBe("3d");
    expect(humanDuration(86400 * 400)).toBe("400d");
    expect(age({ metadata: { creationTimestamp: "2020-01-01T00:00:00Z" } }, Date.parse("2020-01-01T00:00:42Z"))).toBe("42s");
  });

  it("fills clusterprofile cells from spec and status", () => {
    const cells = clusterProfileColumns.cells({
      metadata: { name: "m1", creationTimestamp: new Date().toISOString() },
      spec: { displayName: "Member 1", clusterManager: { name: "clusterset-apiserver" } },
      status: { version: { kubernetes: "v1.20.2" }, conditions: [{ type: "ControlPlaneHealthy", status: "True" }, { type: "Joined", status: "True" }], properties: [{}, {}] },
    });
    expect(cells.slice(0, 5)).toEqual(["m1", "Member 1", "clusterset-apiserver", "v1.20.2", "True"]);
    expect(cells.slice(6)).toEqual(["True", 2]);
    expect(clusterProfileColumns.definitions.filter((d) => d.priority === 0).map((d) => d.name)).toEqual(["Name", "Display Name", "Manager", "Version", "Healthy", "Age"]);
  });

  it("fills work cells", () => {
    const cells = workColumns.cells({ metadata: { name: "w", labels: { "clusterset.dev/cluster": "m1" } }, spec: { workload: { manifests: [{}, {}, {}] } } });
    expect(cells.slice(0, 5)).toEqual(["w", "m1", 3, "", ""]);
  });
});
