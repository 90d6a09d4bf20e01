/** The few fields of hub objects the kubectl plugin reads (a plain view of the JSON the hub returns). */
export const NODE_COUNT_PROPERTY = "clusterset.dev/node-count";

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Conditions {
  conditions?: { type: string; status: string; lastTransitionTime?: string; message?: string }[];
}

export interface ProfileLike {
  metadata: Meta;
  status?: Conditions & { version?: { kubernetes?: string }; properties?: { name: string; value: string }[] };
}

export interface WorkLike {
  metadata: Meta;
  status?: Conditions;
}
