import type { KubernetesObject } from "@kubernetes/client-node";
import { shardLabel } from "./assignment.ts";

// A sharded replica watches only what carries its name: the tenants the sharder labelled for it,
// and the children it applied itself, stamped with the same label. Only the children's own
// metadata is stamped, never a pod template: a tenant moving to another replica must not roll
// its pods. (Pods are cached slim for every tenant; see pod-problems.ts.)

/** `selector` narrowed to what `member` owns. */
export function shardSelector(selector: string, member: string): string {
  return `${selector},${shardLabel}=${member}`;
}

/** `object` with its metadata labelled for `member`; `object` itself is left as it was. */
export function withShardLabel<T extends KubernetesObject>(object: T, member: string): T {
  return {
    ...object,
    metadata: { ...object.metadata, labels: { ...object.metadata?.labels, [shardLabel]: member } },
  };
}
