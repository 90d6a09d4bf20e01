/**
 * The apimachinery types our documents reference (ObjectMeta, ListMeta, Status, DeleteOptions, Patch,
 * WatchEvent and what they reference in turn), so each document is self-contained. Written in OpenAPI v2 form
 * with `#/definitions/` references; the v3 document rewrites them (see v3.ts). Descriptions are upstream's,
 * shortened where they run to paragraphs.
 */
import { META } from "./names.js";
import type { Schema } from "./schema-types.js";

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const withDesc = (s: Schema, description: string): Schema => ({ description, ...s });
const str = (description: string): Schema => ({ description, type: "string" });
const int64 = (description: string): Schema => ({ description, type: "integer", format: "int64" });
const int32 = (description: string): Schema => ({ description, type: "integer", format: "int32" });
const bool = (description: string): Schema => ({ description, type: "boolean" });
const stringMap = (description: string): Schema => ({ description, type: "object", additionalProperties: { type: "string" } });

const TYPE_META = {
  apiVersion: str(
    "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
  ),
  kind: str(
    "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
  ),
};

/** apiVersion and kind with TypeMeta's descriptions, as kube-apiserver sets them on every published kind. */
export function typeMetaProperties(): Record<string, Schema> {
  return structuredClone(TYPE_META);
}

export const OBJECT_META_DESCRIPTION =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
export const LIST_META_DESCRIPTION =
  "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

const T = `${META}.Time`;
const gvk = (group: string, version: string, kind: string) => ({ group, kind, version });

/** The definitions, by name. `group`/`version` are ours, for the GVKs of WatchEvent and DeleteOptions. */
export function metaDefinitions(group: string, version: string): Record<string, Schema> {
  return {
    [`${META}.Time`]: {
      description:
        "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.",
      type: "string",
      format: "date-time",
    },
    [`${META}.FieldsV1`]: {
      description:
        "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item.",
      type: "object",
    },
    [`${META}.ManagedFieldsEntry`]: {
      description:
        "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
      type: "object",
      properties: {
        apiVersion: str("APIVersion defines the version of this resource that this field set applies to."),
        fieldsType: str('FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: "FieldsV1"'),
        fieldsV1: withDesc(ref(`${META}.FieldsV1`), "FieldsV1 holds the first JSON version format as described in the \"FieldsV1\" type."),
        manager: str("Manager is an identifier of the workflow managing these fields."),
        operation: str("Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'."),
        subresource: str("Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource."),
        time: withDesc(ref(T), "Time is the timestamp of when the ManagedFields entry was added."),
      },
    },
    [`${META}.OwnerReference`]: {
      description:
        "OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.",
      type: "object",
      required: ["apiVersion", "kind", "name", "uid"],
      properties: {
        apiVersion: str("API version of the referent."),
        blockOwnerDeletion: bool('If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.'),
        controller: bool("If true, this reference points to the managing controller."),
        kind: str("Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        name: str("Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"),
        uid: str("UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids"),
      },
      "x-kubernetes-map-type": "atomic",
    },
    [`${META}.ObjectMeta`]: {
      description: "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
      type: "object",
      properties: {
        annotations: stringMap("Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations"),
        creationTimestamp: withDesc(ref(T), "CreationTimestamp is a timestamp representing the server time when this object was created. Populated by the system. Read-only. Null for lists."),
        deletionGracePeriodSeconds: int64("Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. Read-only."),
        deletionTimestamp: withDesc(ref(T), "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. Populated by the system when a graceful deletion is requested. Read-only."),
        finalizers: {
          description: "Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list.",
          type: "array",
          items: { type: "string" },
          "x-kubernetes-list-type": "set",
          "x-kubernetes-patch-strategy": "merge",
        },
        generateName: str("GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
        generation: int64("A sequence number representing a specific generation of the desired state. Populated by the system. Read-only."),
        labels: stringMap("Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels"),
        managedFields: {
          description: "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field.",
          type: "array",
          items: ref(`${META}.ManagedFieldsEntry`),
          "x-kubernetes-list-type": "atomic",
        },
        name: str("Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"),
        namespace: str("Namespace defines the space within which each name must be unique. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces"),
        ownerReferences: {
          description: "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected.",
          type: "array",
          items: ref(`${META}.OwnerReference`),
          "x-kubernetes-list-map-keys": ["uid"],
          "x-kubernetes-list-type": "map",
          "x-kubernetes-patch-merge-key": "uid",
          "x-kubernetes-patch-strategy": "merge",
        },
        resourceVersion: str("An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency"),
        selfLink: str("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
        uid: str("UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations. Populated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids"),
      },
    },
    [`${META}.ListMeta`]: {
      description: "ListMeta describes metadata that synthetic resources must have, including lists and various status objects. A resource may have only one of {ObjectMeta, ListMeta}.",
      type: "object",
      properties: {
        continue: str("continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available. The value is opaque and may be used to issue another request to the endpoint that served this list to retrieve the next set of available objects."),
        remainingItemCount: int64("remainingItemCount is the number of subsequent items in the list which are not included in this list response."),
        resourceVersion: str("String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed. Value must be treated as opaque by clients and passed unmodified back to the server. Populated by the system. Read-only."),
        selfLink: str("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
      },
    },
    [`${META}.StatusCause`]: {
      description: "StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.",
      type: "object",
      properties: {
        field: str('The field of the resource that has caused this error, as named by its JSON serialization. May include dot and postfix notation for nested attributes. Arrays are zero-indexed.\n\nExamples:\n  "name" - the field "name" on the current resource\n  "items[0].name" - the field "name" on the first array entry in "items"'),
        message: str("A human-readable description of the cause of the error.  This field may be presented as-is to a reader."),
        reason: str("A machine-readable description of the cause of the error. If this value is empty there is no information available."),
      },
    },
    [`${META}.StatusDetails`]: {
      description: "StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.",
      type: "object",
      properties: {
        causes: {
          description: "The Causes array includes more details associated with the StatusReason failure. Not all StatusReasons may provide detailed causes.",
          type: "array",
          items: ref(`${META}.StatusCause`),
          "x-kubernetes-list-type": "atomic",
        },
        group: str("The group attribute of the resource associated with the status StatusReason."),
        kind: str("The kind attribute of the resource associated with the status StatusReason. On some operations may differ from the requested resource Kind. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        name: str("The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described)."),
        retryAfterSeconds: int32("If specified, the time in seconds before the operation should be retried."),
        uid: str("UID of the resource. (when there is a single resource which can be described). More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids"),
      },
    },
    [`${META}.Status`]: {
      description: "Status is a return value for calls that don't return other objects.",
      type: "object",
      properties: {
        ...typeMetaProperties(),
        code: int32("Suggested HTTP return code for this status, 0 if not set."),
        details: withDesc(ref(`${META}.StatusDetails`), "Extended data associated with the reason.  Each reason may define its own extended details."),
        message: str("A human-readable description of the status of this operation."),
        metadata: withDesc(ref(`${META}.ListMeta`), LIST_META_DESCRIPTION),
        reason: str('A machine-readable description of why this operation is in the "Failure" status. If this value is empty there is no information available.'),
        status: str('Status of the operation. One of: "Success" or "Failure". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status'),
      },
      "x-kubernetes-group-version-kind": [gvk("", "v1", "Status")],
    },
    [`${META}.Preconditions`]: {
      description: "Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.",
      type: "object",
      properties: {
        resourceVersion: str("Specifies the target ResourceVersion"),
        uid: str("Specifies the target UID."),
      },
    },
    [`${META}.DeleteOptions`]: {
      description: "DeleteOptions may be provided when deleting an API object.",
      type: "object",
      properties: {
        ...typeMetaProperties(),
        dryRun: {
          description: "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
          type: "array",
          items: { type: "string" },
          "x-kubernetes-list-type": "atomic",
        },
        gracePeriodSeconds: int64("The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately."),
        orphanDependents: bool("Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned."),
        preconditions: withDesc(ref(`${META}.Preconditions`), "Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned."),
        propagationPolicy: str("Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
      },
      "x-kubernetes-group-version-kind": [gvk("", "v1", "DeleteOptions"), gvk("meta.k8s.io", "v1", "DeleteOptions"), gvk(group, version, "DeleteOptions")],
    },
    [`${META}.Patch`]: {
      description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
      type: "object",
    },
    "io.k8s.apimachinery.pkg.runtime.RawExtension": {
      description: "RawExtension is used to hold extensions in external versions: here, the object of a watch event, as JSON.",
      type: "object",
    },
    [`${META}.WatchEvent`]: {
      description: "Event represents a single event to a watched resource.",
      type: "object",
      required: ["type", "object"],
      properties: {
        object: withDesc(
          ref("io.k8s.apimachinery.pkg.runtime.RawExtension"),
          "Object is:\n * If Type is Added or Modified: the new state of the object.\n * If Type is Deleted: the state of the object immediately before deletion.\n * If Type is Error: *Status is recommended; other types may make sense\n   depending on context.",
        ),
        type: { type: "string" },
      },
      "x-kubernetes-group-version-kind": [gvk("", "v1", "WatchEvent"), gvk("meta.k8s.io", "v1", "WatchEvent"), gvk(group, version, "WatchEvent")],
    },
  };
}
