/**
 * What makes one resource differ from another: k8s.io/apiserver's RESTCreateStrategy/RESTUpdateStrategy in
 * small. The generic registry does everything else the same way for every resource.
 */
import type { KubeObject } from "../../storage/interface.js";
import type { RequestContext, StatusCause } from "../rest.js";

export interface Strategy {
  /** Status is a subresource: main-resource writes keep the stored status, /status writes change only status. */
  readonly statusSubresource: boolean;
  /** Schema and resource rules for a new or changed object; `old` is set on update. Empty: valid. */
  validate(obj: KubeObject, ctx: RequestContext, old?: KubeObject): StatusCause[];
  /** Last changes before a create is stored (defaults, labels we own). May throw a StatusError. */
  prepareForCreate?(obj: KubeObject, ctx: RequestContext): void | Promise<void>;
  /** Last changes before an update is stored. May throw a StatusError (e.g. a field that may not change). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: string): void | Promise<void>;
  /** Admission of a create into namespace `namespace` (NamespaceLifecycle): throws 404 or 403. */
  admitCreate?(namespace: string, name: string): Promise<void>;
  /** Refuses a delete (409) before anything happens, e.g. a joined member's profile. */
  checkDelete?(obj: KubeObject, ctx: RequestContext): void | Promise<void>;
}
