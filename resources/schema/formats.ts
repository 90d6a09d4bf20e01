/**
 * String formats as kube-openapi's strfmt registry checks them for custom resources. Only formats whose
 * semantics we reproduce are checked; kube-apiserver ignores unknown formats (int32, int64, float, double are
 * type hints, not checks), and so do we.
 */

// strfmt.IsDateTime: date "T" time, seconds required, any one character before the fraction (its regex has an
// unescaped "."), "z" or ±hh:mm. Case-insensitive, like upstream, which lower-cases first.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})t(\d{2}):(\d{2}):(\d{2})(.\d+)?(z|[+-]\d{2}:\d{2})$/;

export function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s.toLowerCase());
  if (!m) return false;
  const [, , month, day, hh, mm, ss] = m;
  return month! >= "01" && month! <= "12" && day! >= "01" && day! <= "31" && hh! <= "23" && mm! <= "59" && ss! <= "59";
}

// format: byte is standard base64 with padding; the empty string decodes to nothing and is accepted.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(s: string): boolean {
  return BASE64.test(s);
}

/** RFC 3339 as Go's time.Parse(time.RFC3339) accepts it: what metav1.Time decodes (creationTimestamp, …). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function isRFC3339(s: string): boolean {
  return RFC3339.test(s) && !Number.isNaN(Date.parse(s));
}
