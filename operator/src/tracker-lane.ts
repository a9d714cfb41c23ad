import type { KubernetesObject } from "@kubernetes/client-node";
import type { Lane } from "./queue.ts";

/**
 * The queue lane for an event on a FinanceTracker (see Lane in queue.ts). `seenGeneration` is
 * the generation of its previous event, undefined for a tracker not seen yet; `listed` says
 * whether the informer's first list is over. A spec that is new or changed, or a deletion, is
 * `changed`. What the first list brings is `periodic`: a restart changed nothing, and a tenant
 * created meanwhile must not wait for every other to be looked at again. Anything else (our
 * status, a finalizer, labels, annotations) is `observed`.
 */
export function trackerLane(
  tracker: KubernetesObject,
  seenGeneration: number | undefined,
  listed: boolean,
): Lane {
  if (tracker.metadata?.deletionTimestamp) return "changed";
  if (seenGeneration === undefined) return listed ? "changed" : "periodic";
  return tracker.metadata?.generation === seenGeneration ? "observed" : "changed";
}
