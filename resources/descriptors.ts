/**
 * The three resources we serve, described from their upstream CRDs (names, scope, subresources, schema).
 * ../docs/design.md adds the category `multicluster` to all three (`kubectl get multicluster -A`), whatever the CRDs say.
 */
import type { ResourceDescriptor } from "./descriptor.js";
import { getCRD, getSchema, hasStatusSubresource, type Kind } from "./validation.js";
import { GROUP, VERSION } from "../api/group.js";

const CATEGORY = "multicluster";

function describe(kind: Kind): ResourceDescriptor {
  const { names, scope } = getCRD(kind);
  const d: ResourceDescriptor = {
    group: GROUP,
    version: VERSION,
    kind: names.kind,
    listKind: names.listKind,
    plural: names.plural,
    singular: names.singular,
    shortNames: [...names.shortNames],
    categories: names.categories.includes(CATEGORY) ? [...names.categories] : [...names.categories, CATEGORY],
    namespaced: scope === "Namespaced",
    subresources: hasStatusSubresource(kind) ? ["status"] : [],
    schema: getSchema(kind),
  };
  return Object.freeze(d);
}

export const clusterProfiles: ResourceDescriptor = describe("ClusterProfile");
export const works: ResourceDescriptor = describe("Work");
export const placementDecisions: ResourceDescriptor = describe("PlacementDecision");

export const descriptors: readonly ResourceDescriptor[] = [clusterProfiles, works, placementDecisions];
