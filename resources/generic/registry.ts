/**
 * The generic registry: every verb of a resource over a `Store`, with the rules kube-apiserver applies to custom
 * resources (k8s.io/apiserver/pkg/registry/generic/registry/store.go). A `Strategy` adds what differs per resource.
 */
import type { KubeObject, Store, Watch } from "../../storage/interface.js";
import type { ResourceDescriptor } from "../descriptor.js";
import { badRequest, conflict, invalid, notFound, StatusError, type StatusCause } from "../errors.js";
import { goJSON, goQuote } from "../schema/go-format.js";
import type { Columns, DeleteOptions, KubeList, ListQuery, PatchType, RequestContext, ResourceREST } from "../rest.js";
import { combine, parseFieldSelector, parseLabelSelector } from "../selectors.js";
import { applyPatch } from "./apply.js";
import { checkNamespace, decodeBody } from "./body.js";
import { FieldManager } from "./field-manager.js";
import { rootType } from "./field-types.js";
import { checkWatchOptions, listOptions } from "./list-options.js";
import { depthOf, servableDepth, shallowUnknown, shallowUnknownInJSONPatch } from "../schema/deep.js";
import { isPlainObject } from "../../lib/objects.js";
import { generateName, newUID, now, sameContent, specChanged } from "./meta.js";
import { applyJSONPatch, applyMergePatch, checkMergePatch } from "./patch.js";
import { mapped } from "./storage-errors.js";
import type { Strategy } from "./strategy.js";
import { checkPreconditions, keepSystemFields, withManagedFields } from "./update-meta.js";
import { checkPatchOptions, checkWriteOptions, managerName } from "./write-options.js";

const allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** How a write records field ownership: as an update by a manager, or already done (apply). */
type Tracking = { manager: string } | "done";

export class Registry implements ResourceREST {
  private readonly gr: { group: string; resource: string };
  /** Some messages name the Kind instead (`PlacementDecision.multicluster.x-k8s.io "x"`). */
  private readonly gk: { group: string; resource: string };
  readonly fields: FieldManager;

  constructor(
    readonly descriptor: ResourceDescriptor,
    readonly columns: Columns,
    private readonly store: Store,
    private readonly strategy: Strategy,
  ) {
    this.gr = { group: descriptor.group, resource: descriptor.plural };
    this.gk = { group: descriptor.group, resource: descriptor.kind };
    this.fields = new FieldManager({
      apiVersion: `${descriptor.group}/${descriptor.version}`,
      kind: descriptor.kind,
      type: rootType(descriptor.schema),
      statusSubresource: strategy.statusSubresource,
      now,
    });
  }

  verbs(): string[] {
    return allVerbs;
  }

  subresourceVerbs(): Record<string, string[]> {
    return this.strategy.statusSubresource ? { status: ["get", "patch", "update"] } : {};
  }

  private key(namespace: string, name = ""): string {
    return namespace ? `/${this.descriptor.plural}/${namespace}/${name}` : `/${this.descriptor.plural}/`;
  }

  private checkSubresource(sub: string | undefined, name = ""): void {
    // As for a CRD without that subresource: the object path does not exist.
    if (sub && !(sub in this.subresourceVerbs())) throw notFound(this.gr, name);
  }

  async get(ctx: RequestContext, name: string, subresource?: string): Promise<KubeObject> {
    this.checkSubresource(subresource, name);
    return mapped(this.gr, name, () => this.store.get(this.key(ctx.namespace, name)));
  }

  async list(ctx: RequestContext, query: ListQuery): Promise<KubeList> {
    const opts = listOptions(query);
    const predicate = combine(parseLabelSelector(query.labelSelector), parseFieldSelector(query.fieldSelector));
    const result = await mapped(this.gr, "", () => this.store.list(this.key(ctx.namespace), { ...opts, ...(predicate ? { predicate } : {}) }), query.continue ? "continue" : "rv");
    // continue is always there, "" on the last page, as an unstructured list of custom resources carries it.
    const metadata: KubeList["metadata"] = { continue: result.continue ?? "", resourceVersion: String(result.revision) };
    if (result.remainingItemCount !== undefined && result.continue) metadata.remainingItemCount = result.remainingItemCount;
    return {
      apiVersion: `${this.descriptor.group}/${this.descriptor.version}`,
      kind: this.descriptor.listKind,
      metadata,
      items: result.items,
    };
  }

  async watch(ctx: RequestContext, query: ListQuery): Promise<Watch> {
    checkWatchOptions(query);
    const predicate = combine(parseLabelSelector(query.labelSelector), parseFieldSelector(query.fieldSelector));
    return mapped(this.gr, "", () =>
      this.store.watch(this.key(ctx.namespace), {
        ...(query.resourceVersion !== undefined ? { resourceVersion: query.resourceVersion } : {}),
        ...(predicate ? { predicate } : {}),
        allowBookmarks: query.allowWatchBookmarks === true,
        // Absent: storage decides from resourceVersion (unset or "0": synthetic ADDED events first).
        ...(query.sendInitialEvents !== undefined ? { sendInitialEvents: query.sendInitialEvents } : {}),
      }),
    "rv");
  }

  /**
   * A body (or merge or JSON patch) nested deeper than the write path serves, with the values pruning will drop
   * flattened first (deep.ts); what is still too deep is refused with 400.
   */
  private servable<T>(doc: T, kind: "object" | "json"): T {
    if (depthOf(doc) <= servableDepth) return doc;
    if (kind === "json") shallowUnknownInJSONPatch(doc, this.descriptor.schema);
    else shallowUnknown(doc, this.descriptor.schema);
    if (depthOf(doc) > servableDepth) {
      throw badRequest(`the object provided is nested more than ${servableDepth} levels deep in fields its schema keeps: this server does not store values nested that deep`);
    }
    return doc;
  }

  async create(ctx: RequestContext, body: unknown): Promise<KubeObject> {
    checkWriteOptions("CreateOptions", ctx);
    const obj = decodeBody(this.servable(body, "object"), this.descriptor);
    checkNamespace(obj, ctx.namespace);
    if (obj.metadata.resourceVersion) throw badRequest("resourceVersion should not be set on objects to be created");
    return this.insert(ctx, obj, { manager: managerName(ctx) }).catch((e: unknown) => {
      throw this.decodeError(e);
    });
  }

  /** A strict decoding error of a create or update body, worded as kube-apiserver's decoder reports it. */
  private decodeError(e: unknown): unknown {
    if (!isStrictDecodingError(e)) return e;
    const kind = this.descriptor.kind;
    return badRequest(`${kind} in version ${JSON.stringify(this.descriptor.version)} cannot be handled as a ${kind}: ${e.message}`);
  }

  /**
   * The create path, shared with an apply that creates (apply.ts, hence public): server-set metadata, strategy,
   * validation, field ownership unless apply has recorded it already, storage.
   */
  async insert(ctx: RequestContext, obj: KubeObject, tracking: Tracking): Promise<KubeObject> {
    const m = obj.metadata;
    if (!m.name && m.generateName) m.name = generateName(m.generateName);
    if (!m.name) this.fail(obj, [{ type: "FieldValueRequired", field: "metadata.name", message: "Required value: name or generateName is required" }]);
    m.uid = newUID();
    m.creationTimestamp = now();
    m.generation = 1;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    if (this.strategy.statusSubresource) delete obj.status;
    await this.strategy.admitCreate?.(ctx.namespace, m.name!);
    await this.strategy.prepareForCreate?.(obj, ctx);
    this.fail(obj, this.strategy.validate(obj, ctx));
    // After validation, which prunes: unknown fields are nobody's.
    if (tracking !== "done") withManagedFields(m, this.fields.update(undefined, obj, tracking.manager));
    if (ctx.dryRun) return obj;
    return mapped(this.gr, m.name!, () => this.store.create(this.key(ctx.namespace, m.name), obj));
  }

  async update(ctx: RequestContext, name: string, body: unknown, subresource?: string): Promise<{ object: KubeObject; created: boolean }> {
    this.checkSubresource(subresource, name);
    checkWriteOptions("UpdateOptions", ctx);
    const obj = decodeBody(this.servable(body, "object"), this.descriptor);
    checkNamespace(obj, ctx.namespace);
    if (obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name ?? ""}) does not match the name on the URL (${name})`);
    }
    const object = await this.write(ctx, name, (current) => {
      // After the object is known to exist (404 first), as kube-apiserver's store.Update orders it; this 422 names
      // the resource, not the Kind (store.go's qualifiedResource).
      if (!obj.metadata.resourceVersion) {
        throw invalid(this.gr.group, this.gr.resource, name, [{ type: "FieldValueInvalid", field: "metadata.resourceVersion", message: "Invalid value: 0: must be specified for an update" }]);
      }
      // A uid in the body is a precondition (rest.DefaultUpdatedObjectInfo).
      if (obj.metadata.uid && obj.metadata.uid !== current.metadata.uid) {
        throw conflict(this.gr, name, `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (obj.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(this.gr, name);
      // A copy: validation prunes in place, and a retried attempt must see the body as sent.
      return structuredClone(obj);
    }, subresource, { manager: managerName(ctx) }).catch((e: unknown) => {
      throw this.decodeError(e);
    });
    return { object, created: false };
  }

  async patch(ctx: RequestContext, name: string, type: PatchType, patch: unknown, subresource?: string, force?: boolean): Promise<{ object: KubeObject; created: boolean }> {
    this.checkSubresource(subresource, name);
    checkPatchOptions(type, ctx, force);
    if (type === "apply") return applyPatch(this, ctx, name, patch, subresource, force === true);
    if (type === "merge") checkMergePatch(patch);
    this.servable(patch, type === "json" ? "json" : "object");
    let sent: KubeObject | undefined;
    const object = await this.write(ctx, name, (current) => {
      const patched = (type === "json" ? applyJSONPatch(current, patch) : applyMergePatch(current, patch)) as KubeObject;
      if (ctx.fieldValidation === "Strict") sent = structuredClone(patched);
      // kube-apiserver decodes the patched object: metadata of another JSON type is 422 on `patch`, quoting it.
      if (patched.metadata !== undefined && patched.metadata !== null && !isPlainObject(patched.metadata)) {
        const type = Array.isArray(patched.metadata) ? "array" : typeof patched.metadata === "boolean" ? "bool" : typeof patched.metadata;
        throw patchInvalid(patched, `json: cannot unmarshal ${type} into Go value of type v1.ObjectMeta`);
      }
      if (!patched.metadata?.name) throw badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
      const obj = decodeBody(patched, this.descriptor);
      // A patch may carry a resourceVersion: then it is a precondition, as for an update.
      if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(this.gr, name);
      if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name ?? ""}) does not match the name on the URL (${name})`);
      checkNamespace(obj, ctx.namespace);
      return obj;
    }, subresource, { manager: managerName(ctx) }).catch((e: unknown) => {
      // kube-apiserver's patcher decodes the patched object strictly and answers 422 on `patch`, quoting it.
      if (!isStrictDecodingError(e) || !sent) throw e;
      throw patchInvalid(sent, e.message);
    });
    return { object, created: false };
  }

  /**
   * The update path every write shares: system metadata kept from the stored object, status and spec split by
   * subresource, generation bumped on a spec change, validation, field ownership (unless apply has recorded it:
   * apply.ts calls this too), no write when nothing changed, and removal once a terminating object loses its last
   * finalizer.
   */
  async write(ctx: RequestContext, name: string, next: (current: KubeObject) => KubeObject, subresource: string | undefined, tracking: Tracking): Promise<KubeObject> {
    const key = this.key(ctx.namespace, name);
    let dryRunResult: KubeObject | undefined;
    let finalized = false;
    const stored = await mapped(this.gr, name, () =>
      this.store.guaranteedUpdate(key, async (current) => {
        const incoming = next(current);
        const obj = keepSystemFields(incoming, current, subresource, this.strategy.statusSubresource);
        await this.strategy.prepareForUpdate?.(obj, current, ctx, subresource);
        this.fail(obj, this.strategy.validate(obj, ctx, current));
        // After validation, which prunes: kube-apiserver prunes while decoding, so an undeclared field (dropped)
        // never counts as a change of spec.
        if (specChanged(obj, current, this.strategy.statusSubresource)) obj.metadata.generation = (current.metadata.generation ?? 0) + 1;
        if (tracking !== "done") withManagedFields(obj.metadata, this.fields.update(current, obj, tracking.manager, subresource));
        if (sameContent(obj, current)) return current;
        finalized = Boolean(obj.metadata.deletionTimestamp) && (obj.metadata.finalizers ?? []).length === 0;
        if (ctx.dryRun) {
          dryRunResult = obj;
          return current;
        }
        return obj;
      }),
    );
    if (dryRunResult) return dryRunResult;
    if (finalized) {
      // The last finalizer is gone: the object goes, and its watchers see DELETED.
      return mapped(this.gr, name, () => this.store.delete(key, { uid: stored.metadata.uid! }));
    }
    return stored;
  }

  async delete(ctx: RequestContext, name: string, opts: DeleteOptions): Promise<{ object: KubeObject; gone: boolean }> {
    const key = this.key(ctx.namespace, name);
    const current = await mapped(this.gr, name, () => this.store.get(key));
    checkPreconditions(this.gk, current, opts);
    await this.strategy.checkDelete?.(current, ctx);
    const finalizers = new Set(current.metadata.finalizers ?? []);
    if (opts.propagationPolicy === "Orphan") finalizers.add("orphan");
    if (opts.propagationPolicy === "Foreground") finalizers.add("foregroundDeletion");
    if (finalizers.size === 0) {
      if (ctx.dryRun) return { object: current, gone: true };
      const object = await mapped(this.gr, name, () => this.store.delete(key, { uid: current.metadata.uid!, ...(opts.preconditions?.resourceVersion ? { resourceVersion: opts.preconditions.resourceVersion } : {}) }));
      return { object, gone: true };
    }
    // Finalizers hold the object: it is marked for deletion and stays until they are removed.
    if (ctx.dryRun) return { object: current, gone: false };
    const object = await mapped(this.gr, name, () =>
      this.store.guaranteedUpdate(key, (cur) => {
        checkPreconditions(this.gk, cur, opts);
        const fin = new Set([...(cur.metadata.finalizers ?? []), ...finalizers]);
        if (cur.metadata.deletionTimestamp && fin.size === (cur.metadata.finalizers ?? []).length) return cur;
        const m = { ...cur.metadata, finalizers: [...fin] };
        if (!m.deletionTimestamp) {
          m.deletionTimestamp = now();
          m.deletionGracePeriodSeconds = 0;
          m.generation = (m.generation ?? 0) + 1;
        }
        return { ...cur, metadata: m };
      }, { uid: current.metadata.uid! }),
    );
    return { object, gone: false };
  }

  async deleteCollection(ctx: RequestContext, query: ListQuery, opts: DeleteOptions): Promise<KubeList> {
    const list = await this.list(ctx, { ...query, limit: 0, continue: undefined });
    const deleted: KubeObject[] = [];
    for (const item of list.items) {
      try {
        const res = await this.delete({ ...ctx, namespace: item.metadata.namespace ?? ctx.namespace }, item.metadata.name!, { ...opts, preconditions: undefined });
        deleted.push(res.object);
      } catch (e) {
        // Gone meanwhile: what deletecollection wanted anyway.
        if ((e as { code?: number }).code !== 404) throw e;
      }
    }
    return { ...list, items: deleted };
  }

  private fail(obj: KubeObject, causes: StatusCause[]): void {
    if (causes.length > 0) throw invalid(this.descriptor.group, this.descriptor.kind, obj.metadata.name ?? "", causes);
  }
}

const isStrictDecodingError = (e: unknown): e is StatusError => e instanceof StatusError && e.status.code === 400 && e.message.startsWith("strict decoding error: ");

/** kube-apiserver's answer when a patched object does not decode: 422 on `patch`, quoting the object as Go's JSON. */
function patchInvalid(patched: unknown, why: string): StatusError {
  const message = `Invalid value: ${goQuote(goJSON(patched))}: ${why}`;
  return new StatusError(422, "Invalid", ` "" is invalid: patch: ${message}`, { causes: [{ type: "FieldValueInvalid", message, field: "patch" }] });
}
