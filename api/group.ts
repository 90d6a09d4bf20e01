/**
 * The API group we serve and its versions: the one place both the REST surface and the controllers (and the
 * wiring in server.ts) take them from.
 */
export const GROUP = "multicluster.x-k8s.io";
export const VERSION = "v1alpha1";
/** `apiVersion` of the objects we store and compute. */
export const GROUP_VERSION = `${GROUP}/${VERSION}`;
