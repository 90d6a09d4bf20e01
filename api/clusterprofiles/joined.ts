/**
 * Which stored ClusterProfiles belong to a joined member: those our writer wrote (annotation naming the member's
 * Secret) while that member is in the fleet. Their spec and status come from the member; users keep labels and
 * annotations (../../docs/design.md "Joining a member").
 */
import type { KubeObject } from "../../storage/interface.js";

/** Set on every profile the writer writes: the Secret the member joined through ("<ns>/<name>"). */
export const SECRET_ANNOTATION = "clusterset.dev/secret";
/** Set when the writer adopted a user-made profile: it then outlives its Secret, with Joined=False. */
export const ADOPTED_ANNOTATION = "clusterset.dev/adopted";

export interface JoinedMembers {
  /** The joining Secret "<ns>/<name>" when profile `namespace/name` is a joined member's; else undefined. */
  secretOf(namespace: string, name: string): string | undefined;
}

export function joinedSecret(obj: KubeObject, members: JoinedMembers): string | undefined {
  const ns = obj.metadata.namespace ?? "";
  const name = obj.metadata.name ?? "";
  if (!obj.metadata.annotations?.[SECRET_ANNOTATION]) return undefined;
  return members.secretOf(ns, name);
}
