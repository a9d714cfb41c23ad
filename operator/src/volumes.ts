import { statefulSetClaimName } from "./names.ts";
import type { V1PersistentVolumeClaim, V1StatefulSet } from "@kubernetes/client-node";

/** A claim of a StatefulSet that must grow to a new size. */
export interface ClaimResize {
  claim: V1PersistentVolumeClaim;
  size: string;
}

const sizeOf = (t: V1PersistentVolumeClaim | undefined) => t?.spec?.resources?.requests?.storage;

/** The claims the StatefulSet controller stamped from `template`. */
function claimsOf(
  sts: V1StatefulSet,
  template: V1PersistentVolumeClaim,
  size: string,
): ClaimResize[] {
  const namespace = sts.metadata?.namespace ?? "";
  return Array.from({ length: sts.spec?.replicas ?? 1 }, (_, ordinal) => ({
    size,
    claim: {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: statefulSetClaimName(
          template.metadata?.name ?? "",
          sts.metadata?.name ?? "",
          ordinal,
        ),
        namespace,
      },
      spec: { resources: { requests: { storage: size } } },
    },
  }));
}

/**
 * A StatefulSet's volumeClaimTemplates are immutable, yet a FinanceTracker's storage size may
 * grow. So once the StatefulSet exists its templates stay as they were created, and growth is
 * carried out on the claims themselves (the StorageClass must allow volume expansion).
 * Returns the StatefulSet to apply and the claims to grow.
 */
export function planVolumes(
  desired: V1StatefulSet,
  live: V1StatefulSet | undefined,
): { statefulSet: V1StatefulSet; resizes: ClaimResize[] } {
  const liveTemplates = live?.spec?.volumeClaimTemplates;
  if (!liveTemplates || !desired.spec) return { statefulSet: desired, resizes: [] };
  const resizes = (desired.spec.volumeClaimTemplates ?? []).flatMap((template) => {
    const size = sizeOf(template);
    const before = liveTemplates.find((t) => t.metadata?.name === template.metadata?.name);
    return size && before && sizeOf(before) !== size ? claimsOf(desired, template, size) : [];
  });
  return {
    statefulSet: { ...desired, spec: { ...desired.spec, volumeClaimTemplates: liveTemplates } },
    resizes,
  };
}
