import type { KubernetesObject } from "@kubernetes/client-node";
import { objectKey } from "./kinds.ts";

/**
 * The children to delete: labelled as this tenant's, controlled by this very FinanceTracker
 * (same uid, so a re-created namesake never loses a sibling's objects), and no longer desired.
 */
export function prunable(
  ownerUid: string,
  desired: readonly KubernetesObject[],
  observed: readonly KubernetesObject[],
): KubernetesObject[] {
  const wanted = new Set(desired.map(objectKey));
  return observed.filter(
    (o) =>
      !wanted.has(objectKey(o)) &&
      !o.metadata?.deletionTimestamp &&
      (o.metadata?.ownerReferences ?? []).some((r) => r.controller === true && r.uid === ownerUid),
  );
}
