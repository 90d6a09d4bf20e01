/**
 * The inventory member id of a joined member (KEP-4322 as amended; cluster-inventory-api v1alpha2): the label
 * `multicluster.x-k8s.io/inventory-member-id`, non-empty, stable for the member's life and unique in the inventory
 * (a namespace). It is the member's `cluster.clusterset.k8s.io` ClusterProperty (KEP-2149's cluster id) when the
 * member has a valid one, else its kube-system namespace UID, the conventional id of a cluster. Pure.
 */
import type { MemberView } from "../../members/member-view.js";

export const MEMBER_ID_LABEL = "multicluster.x-k8s.io/inventory-member-id";
export const CLUSTER_ID_PROPERTY = "cluster.clusterset.k8s.io";

// k8s.io/apimachinery IsValidLabelValue: at most 63 characters, alphanumeric at both ends.
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const isLabelValue = (v: string) => v.length > 0 && v.length <= 63 && LABEL_VALUE.test(v);

/**
 * The id `view` should carry, or undefined while it cannot be known yet. `stored` is the label its profile
 * carries now: kept while the member's ClusterProperties are not listed yet (a restarted server must not
 * relabel), and over the kube-system UID, which a member cannot change.
 */
export function memberId(view: MemberView, stored: string | undefined): string | undefined {
  if (!view.propertiesSynced) return stored;
  const property = view.properties.find((p) => p.name === CLUSTER_ID_PROPERTY)?.value;
  if (property !== undefined && isLabelValue(property)) return property;
  return stored ?? view.kubeSystemUid;
}

/**
 * Keeps ids unique within each namespace: the first member to claim an id keeps it while it is a member; a later
 * member with the same id is refused it (its profile goes without the label) until the first one leaves.
 */
export class MemberIdClaims {
  readonly #owner = new Map<string, string>(); // "<ns>\0<id>" → profile key "<ns>/<name>"
  readonly #byKey = new Map<string, string>(); // profile key → its claim

  /** Claims `id` for `key`, releasing what `key` held before; false (and nothing held) when another key holds `id`. */
  claim(key: string, id: string | undefined): boolean {
    const ns = key.slice(0, key.indexOf("/"));
    const claim = id === undefined ? undefined : `${ns}\0${id}`;
    const owner = claim === undefined ? undefined : this.#owner.get(claim);
    this.release(key);
    if (owner !== undefined && owner !== key) return false;
    if (claim !== undefined) {
      this.#owner.set(claim, key);
      this.#byKey.set(key, claim);
    }
    return true;
  }

  release(key: string): void {
    const claim = this.#byKey.get(key);
    if (claim === undefined) return;
    this.#byKey.delete(key);
    if (this.#owner.get(claim) === key) this.#owner.delete(claim);
  }

  /** The id `key` holds, if any. */
  idOf(key: string): string | undefined {
    const claim = this.#byKey.get(key);
    return claim === undefined ? undefined : claim.slice(claim.indexOf("\0") + 1);
  }

  /** The key holding `id` in `namespace`, if any. */
  holder(namespace: string, id: string): string | undefined {
    return this.#owner.get(`${namespace}\0${id}`);
  }
}
