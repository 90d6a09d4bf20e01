/**
 * kube's CEL format library (k8s.io/apiserver/pkg/cel/library/format.go): `format.<name>()` and
 * `format.named(name)` give a Format, `<Format>.validate(s)` optional.none() when `s` is valid, else
 * optional.of(the list of error strings). The checks are the ones ObjectMeta and schema validation use here.
 */
import { celFunc, celMethod, CelScalar } from "@bufbuild/cel";
import { isBase64, isDateTime } from "../formats.js";
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, maskTrailingDash } from "../name-rules.js";
import { requestURIError } from "./lib-url.js";
import { opaqueType } from "./opaque.js";
import { OPTIONAL, optionalNone, optionalOf } from "./optional.js";

type Check = (s: string) => string[];

const prefixed = (check: Check): Check => (s) => check(maskTrailingDash(s));
const one = (ok: (s: string) => boolean, msg: string): Check => (s) => (ok(s) ? [] : [msg]);

const UUID = /^(?:[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})$/i;
// strfmt's date: RFC 3339 full-date, a real calendar day.
const isDate = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

const FORMATS: Record<string, Check> = {
  dns1123Label: isDNS1123Label,
  dns1123Subdomain: isDNS1123Subdomain,
  dns1035Label: isDNS1035Label,
  qualifiedName: isQualifiedName,
  dns1123LabelPrefix: prefixed(isDNS1123Label),
  dns1123SubdomainPrefix: prefixed(isDNS1123Subdomain),
  dns1035LabelPrefix: prefixed(isDNS1035Label),
  labelValue: isValidLabelValue,
  uri: (s) => {
    const err = requestURIError(s);
    return err ? [err] : [];
  },
  uuid: one((s) => UUID.test(s), "does not match the UUID format"),
  byte: one(isBase64, "invalid base64"),
  date: one(isDate, "invalid date"),
  datetime: one(isDateTime, "invalid datetime"),
};

const format = opaqueType<Check>("kubernetes.NamedFormat");
const FORMAT = format.type;

export const formatFuncs = [
  ...Object.entries(FORMATS).map(([name, check]) => celFunc(`format.${name}`, [], FORMAT, () => format.wrap(check, name) as never)),
  celFunc("format.named", [CelScalar.STRING], OPTIONAL, (name) => {
    const check = Object.hasOwn(FORMATS, name) ? FORMATS[name] : undefined;
    return (check ? optionalOf(format.wrap(check, name) as never) : optionalNone()) as never;
  }),
  celMethod("validate", FORMAT, [CelScalar.STRING], OPTIONAL, function (s) {
    const errors = format.unwrap(this)(s);
    return (errors.length === 0 ? optionalNone() : optionalOf(errors as never)) as never;
  }),
];
