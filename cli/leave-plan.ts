/**
 * `kubectl clusterset leave NAME`: what deleting a member's join Secret removes, said before it is done (pure).
 * The profile goes with the Secret unless we adopted a user-made one (then it stays with Joined=False); Works
 * that target the member stay on the hub but have nowhere to apply.
 */
import { ADOPTED_ANNOTATION, SECRET_ANNOTATION } from "../api/clusterprofiles/joined.js";
import { workClusterLabel } from "../api/works/manifests.js";
import type { ProfileLike, WorkLike } from "./objects.js";

export interface LeavePlan {
  /** The join Secret to delete, "<namespace>/<name>". */
  secret: string;
  /** What the user is told before being asked. */
  text: string;
}

export class LeaveError extends Error {}

export function leavePlan(profile: ProfileLike, works: readonly WorkLike[]): LeavePlan {
  const ns = profile.metadata.namespace ?? "";
  const name = profile.metadata.name ?? "";
  const secret = profile.metadata.annotations?.[SECRET_ANNOTATION];
  if (!secret) throw new LeaveError(`ClusterProfile ${ns}/${name} is not a joined member (no ${SECRET_ANNOTATION} annotation): nothing to leave`);
  const adopted = profile.metadata.annotations?.[ADOPTED_ANNOTATION] === "true";
  const targeting = works.filter((w) => (w.metadata.namespace ?? "") === ns && w.metadata.labels?.[workClusterLabel] === name).map((w) => w.metadata.name ?? "");
  const lines = [
    `Member ${ns}/${name} leaves the ClusterSet. This deletes:`,
    `  Secret ${secret} (the member's kubeconfig)`,
    adopted ? `ClusterProfile ${ns}/${name} stays (it was adopted), with Joined=False` : `  ClusterProfile ${ns}/${name}`,
    targeting.length
      ? `${targeting.length} Work(s) target it; they stay on the hub with nowhere to apply, and what they applied stays on the member: ${targeting.sort().join(", ")}`
      : "No Work targets it.",
  ];
  return { secret, text: `${lines.join("\n")}\n` };
}
