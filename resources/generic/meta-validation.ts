/**
 * ObjectMeta validation kube-apiserver applies to every custom resource (apimachinery's ValidateObjectMeta):
 * name format, label keys and values, annotation size, and finalizer names. Worded as kube-apiserver words it.
 */
import type { KubeObject } from "../../storage/interface.js";
import type { StatusCause } from "../errors.js";

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const namePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const q = (s: string) => JSON.stringify(s);

function subdomainErrors(value: string): string | undefined {
  if (value.length > 253) return "must be no more than 253 characters";
  if (!dns1123Subdomain.test(value)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  return undefined;
}

function qualifiedNameError(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  const name = parts[parts.length - 1]!;
  const prefix = parts.length === 2 ? parts[0]! : undefined;
  if (prefix !== undefined && (prefix === "" || subdomainErrors(prefix))) return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  if (name.length === 0) return "name part must be non-empty";
  if (name.length > 63) return "name part must be no more than 63 characters";
  if (!namePart.test(name)) return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  return undefined;
}

const maxAnnotationsBytes = 256 * 1024;

export function validateObjectMeta(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const m = obj.metadata;
  const invalid = (field: string, value: string, message: string) =>
    causes.push({ type: "FieldValueInvalid", field, message: `Invalid value: ${q(value)}: ${message}` });
  if (typeof m.name !== "string") causes.push({ type: "FieldValueRequired", field: "metadata.name", message: "Required value: name or generateName is required" });
  else {
    const err = subdomainErrors(m.name);
    if (err) invalid("metadata.name", m.name, err);
  }
  for (const [field, map] of [["metadata.labels", m.labels], ["metadata.annotations", m.annotations]] as const) {
    if (map === undefined || map === null) continue;
    if (typeof map !== "object" || Array.isArray(map)) {
      causes.push({ type: "FieldValueTypeInvalid", field, message: "Invalid value: must be a map of strings" });
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      const keyErr = qualifiedNameError(k);
      if (keyErr) invalid(field, k, keyErr);
      if (typeof v !== "string") causes.push({ type: "FieldValueTypeInvalid", field: `${field}[${k}]`, message: "Invalid value: must be a string" });
      else if (field === "metadata.labels" && (v.length > 63 || !labelValue.test(v))) {
        invalid(field, v, v.length > 63 ? "must be no more than 63 characters" : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
      }
    }
  }
  if (m.annotations && typeof m.annotations === "object") {
    const size = Object.entries(m.annotations).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
    if (size > maxAnnotationsBytes) causes.push({ type: "FieldValueTooLong", field: "metadata.annotations", message: `Too long: must have at most ${maxAnnotationsBytes} bytes` });
  }
  for (const [i, f] of (Array.isArray(m.finalizers) ? m.finalizers : []).entries()) {
    if (typeof f !== "string" || qualifiedNameError(f)) invalid(`metadata.finalizers[${i}]`, String(f), "a finalizer name must be a qualified name");
  }
  return causes;
}
