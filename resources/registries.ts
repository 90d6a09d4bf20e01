/** The three resources of multicluster.x-k8s.io/v1alpha1 over one store: what the wiring file serves. */
import type { Store } from "../storage/interface.js";
import { clusterProfileColumns } from "./clusterprofiles/columns.js";
import type { JoinedMembers } from "../api/clusterprofiles/joined.js";
import { clusterProfileStrategy } from "./clusterprofiles/strategy.js";
import { descriptors } from "./descriptors.js";
import { Registry } from "./generic/registry.js";
import type { SchemaValidator } from "./generic/schema-strategy.js";
import { schemaStrategy } from "./generic/schema-strategy.js";
import { placementDecisionColumns } from "./placementdecisions/columns.js";
import type { Strategy } from "./generic/strategy.js";
import { namespaceAdmission, type NamespacePhase } from "./namespace-lifecycle.js";
import type { Columns, ResourceREST } from "./rest.js";
import { validatorFor } from "./validation.js";
import { workColumns } from "./works/columns.js";
import { workStrategy } from "./works/strategy.js";

/** Upstream schema + ObjectMeta rules + the CRD's CEL rules (given the stored object on update). */
const validator = (kind: string): SchemaValidator => validatorFor(kind);

/** `namespacePhase` (the hub's namespaces) enables NamespaceLifecycle admission for creates. */
export function createResources(store: Store, members: JoinedMembers, namespacePhase?: NamespacePhase): Map<string, ResourceREST> {
  const registry = (plural: string, columns: Columns, strategy: Strategy) => {
    const d = descriptors.find((x) => x.plural === plural);
    if (!d) throw new Error(`no descriptor for ${plural}`);
    const admitted = namespacePhase ? { ...strategy, admitCreate: namespaceAdmission(namespacePhase, { group: d.group, resource: d.plural }) } : strategy;
    return new Registry(d, columns, store, admitted);
  };
  const rests: ResourceREST[] = [
    registry("clusterprofiles", clusterProfileColumns, clusterProfileStrategy(validator("ClusterProfile"), members)),
    registry("works", workColumns, workStrategy(validator("Work"))),
    registry("placementdecisions", placementDecisionColumns, schemaStrategy(validator("PlacementDecision"), false)),
  ];
  return new Map(rests.map((r) => [r.descriptor.plural, r]));
}
