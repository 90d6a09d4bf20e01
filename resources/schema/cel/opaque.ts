/**
 * Opaque CEL values (kube's URL, Quantity, Format and cel-go's optional) on @bufbuild/cel. The library only
 * dispatches functions on its own value kinds, and the one open kind is a protobuf message: so each opaque type
 * is a message type built at load time with one string field, `key`, which is what equality compares (a URL's
 * text, a quantity's exact value), and the JavaScript payload rides beside the message in a WeakMap.
 */
import { objectType, type CelObjectType } from "@bufbuild/cel";
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

export interface OpaqueType<T> {
  readonly type: CelObjectType;
  /** A CEL value carrying `payload`; values with the same `key` are equal. */
  wrap(payload: T, key: string): ReflectMessage;
  /** The payload of a value made by `wrap`; throws for anything else (the dispatcher checked the type). */
  unwrap(v: unknown): T;
}

/** A message type named `fullName` ("kubernetes.URL"; no dot: no package, as "optional_type"). */
export function opaqueType<T>(fullName: string): OpaqueType<T> {
  const dot = fullName.lastIndexOf(".");
  const file = create(FileDescriptorProtoSchema, {
    name: `${fullName}.proto`,
    package: dot < 0 ? "" : fullName.slice(0, dot),
    syntax: "proto3",
    messageType: [
      {
        name: fullName.slice(dot + 1),
        field: [{ name: "key", jsonName: "key", number: 1, type: FieldDescriptorProto_Type.STRING, label: FieldDescriptorProto_Label.OPTIONAL }],
      },
    ],
  });
  const desc = createFileRegistry(file, () => undefined).getMessage(fullName);
  if (!desc) throw new Error(`opaque type ${fullName} not registered`);
  const payloads = new WeakMap<object, T>();
  return {
    type: objectType(desc),
    wrap(payload, key) {
      const message = create(desc, { key } as never);
      payloads.set(message, payload);
      return reflect(desc, message);
    },
    unwrap(v) {
      const message = (v as ReflectMessage | undefined)?.message;
      if (!message || !payloads.has(message)) throw new Error(`not a ${fullName}`);
      return payloads.get(message) as T;
    },
  };
}
