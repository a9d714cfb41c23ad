import type { V2HorizontalPodAutoscaler, V2MetricSpec } from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { childMetadata, childNames } from "../../names.ts";

/**
 * Scales the app Deployment on CPU, and on memory too when the spec sets a memory target (the
 * HPA then takes the larger of the two replica counts); none when spec.app.autoscaling is not set.
 */
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
        utilization("cpu", autoscaling.targetCPUUtilizationPercentage),
        ...(autoscaling.targetMemoryUtilizationPercentage === undefined
          ? []
          : [utilization("memory", autoscaling.targetMemoryUtilizationPercentage)]),
      ],
      // Five minutes of low load before shrinking, so a short lull does not drop capacity.
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
}

/** A resource metric aiming at `percent` of the pods' requests on average. */
function utilization(name: "cpu" | "memory", percent: number): V2MetricSpec {
  return {
    type: "Resource",
    resource: { name, target: { type: "Utilization", averageUtilization: percent } },
  };
}
