/** The three resources of multicluster.x-k8s.io/v1alpha1 over one store: what the wiring file serves. */
import type { Store } from "../storage/interface.js";
import { clusterProfileColumns } from "./clusterprofiles/columns.js";
import type { JoinedMembers } from "./clusterprofiles/joined.js";
import { clusterProfileStrategy } from "./clusterprofiles/strategy.js";
import { descriptors } from "./descriptors.js";
import { Registry } from "./generic/registry.js";
import type { SchemaValidator } from "./generic/schema-strategy.js";
import { schemaStrategy } from "./generic/schema-strategy.js";
import { placementDecisionColumns } from "./placementdecisions/columns.js";
import type { ResourceREST } from "./rest.js";
import { validatorFor } from "./schema.js";
import { workColumns } from "./works/columns.js";
import { workStrategy } from "./works/strategy.js";

/** Upstream schema + ObjectMeta rules + the CRD's CEL rules (given the stored object on update). */
const validator = (kind: string): SchemaValidator => validatorFor(kind);

export function createResources(store: Store, members: JoinedMembers): Map<string, ResourceREST> {
  const d = (plural: string) => {
    const found = descriptors.find((x) => x.plural === plural);
    if (!found) throw new Error(`no descriptor for ${plural}`);
    return found;
  };
  const rests: ResourceREST[] = [
    new Registry(d("clusterprofiles"), clusterProfileColumns, store, clusterProfileStrategy(validator("ClusterProfile"), members)),
    new Registry(d("works"), workColumns, store, workStrategy(validator("Work"))),
    new Registry(d("placementdecisions"), placementDecisionColumns, store, schemaStrategy(validator("PlacementDecision"), false)),
  ];
  return new Map(rests.map((r) => [r.descriptor.plural, r]));
}
