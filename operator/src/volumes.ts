import type {
  KubernetesObject,
  V1PersistentVolumeClaim,
  V1StatefulSet,
} from "@kubernetes/client-node";

/** A claim of a StatefulSet that must grow to a new size. */
export interface ClaimResize {
  claim: V1PersistentVolumeClaim;
  size: string;
}

/**
 * A StatefulSet's volumeClaimTemplates are immutable, yet a FinanceTracker's storage size may
 * grow. So once the StatefulSet exists its templates stay as they were created, and growth is
 * carried out on the claims themselves (the StorageClass must allow volume expansion).
 * Returns the StatefulSet to apply and the claims to grow.
 */
export function planVolumes(
  desired: V1StatefulSet,
  live: KubernetesObject | undefined,
): { statefulSet: V1StatefulSet; resizes: ClaimResize[] } {
  const liveTemplates = (live as V1StatefulSet | undefined)?.spec?.volumeClaimTemplates;
  if (!liveTemplates || !desired.spec) return { statefulSet: desired, resizes: [] };
  const replicas = desired.spec.replicas ?? 1;
  const namespace = desired.metadata?.namespace ?? "";
  const stsName = desired.metadata?.name ?? "";
  const resizes: ClaimResize[] = [];
  for (const template of desired.spec.volumeClaimTemplates ?? []) {
    const size = template.spec?.resources?.requests?.storage;
    const before = liveTemplates.find((t) => t.metadata?.name === template.metadata?.name);
    if (!size || !before || before.spec?.resources?.requests?.storage === size) continue;
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      resizes.push({
        size,
        claim: {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: `${template.metadata?.name ?? ""}-${stsName}-${ordinal}`, namespace },
          spec: { resources: { requests: { storage: size } } },
        },
      });
    }
  }
  return {
    statefulSet: { ...desired, spec: { ...desired.spec, volumeClaimTemplates: liveTemplates } },
    resizes,
  };
}
