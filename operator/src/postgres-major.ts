import type { V1StatefulSet } from "@kubernetes/client-node";

/** The annotation on the PostgreSQL StatefulSet recording which major version its data is for. */
export const postgresMajorAnnotation = "fintrack.dev/postgres-major";

/** Why a requested PostgreSQL version is not rolled out. */
export interface MajorUpgradeBlocked {
  running: number;
  requested: number;
}

/**
 * A new PostgreSQL major cannot start on the data directory of an older one: swapping the image
 * would leave the database crash-looping. Until upgrades are automated, a StatefulSet that runs
 * an older major keeps its pod template (image included) and the tenant reports why; everything
 * else in the spec still rolls out. New StatefulSets record their major for later comparison.
 */
export function planPostgresMajor(
  desired: V1StatefulSet,
  live: V1StatefulSet | undefined,
  requested: number,
): { statefulSet: V1StatefulSet; blocked?: MajorUpgradeBlocked } {
  const annotate = (sts: V1StatefulSet, major: number): V1StatefulSet => ({
    ...sts,
    metadata: {
      ...sts.metadata,
      annotations: { ...sts.metadata?.annotations, [postgresMajorAnnotation]: String(major) },
    },
  });
  const running = Number(live?.metadata?.annotations?.[postgresMajorAnnotation] ?? requested);
  if (!live?.spec || !desired.spec || running >= requested) {
    return { statefulSet: annotate(desired, requested) };
  }
  return {
    statefulSet: annotate(
      { ...desired, spec: { ...desired.spec, template: live.spec.template } },
      running,
    ),
    blocked: { running, requested },
  };
}
