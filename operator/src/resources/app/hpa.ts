import type { V2HorizontalPodAutoscaler } from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { childMetadata, childNames } from "../../names.ts";

/** Scales the app Deployment on CPU; none when spec.app.autoscaling is not set. */
export function buildAppHorizontalPodAutoscaler(
  tracker: FinanceTracker,
): V2HorizontalPodAutoscaler | undefined {
  const autoscaling = tracker.spec.app.autoscaling;
  if (!autoscaling) {
    return undefined;
  }
  const app = childNames(tracker.metadata.name).app;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: childMetadata(tracker, "app", app),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: [
        {
          type: "Resource",
          resource: {
            name: "cpu",
            target: {
              type: "Utilization",
              averageUtilization: autoscaling.targetCPUUtilizationPercentage,
            },
          },
        },
      ],
      // Five minutes of low load before shrinking, so a short lull does not drop capacity.
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
}
