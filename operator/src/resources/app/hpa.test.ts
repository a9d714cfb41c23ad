import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import { buildAppHorizontalPodAutoscaler } from "./hpa.ts";

describe("buildAppHorizontalPodAutoscaler", () => {
  it("builds no autoscaler when autoscaling is off", () => {
    expect(buildAppHorizontalPodAutoscaler(aTracker())).toBeUndefined();
  });

  it("scales the app Deployment between the spec's bounds", () => {
    const hpa = buildAppHorizontalPodAutoscaler(
      aTracker({ spec: { app: { autoscaling: { minReplicas: 3, maxReplicas: 8 } } } }),
    );

    expect(hpa?.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "acme-app",
    });
    expect(hpa?.spec.minReplicas).toBe(3);
    expect(hpa?.spec.maxReplicas).toBe(8);
  });

  it("targets the spec's average CPU utilization", () => {
    const hpa = buildAppHorizontalPodAutoscaler(
      aTracker({
        spec: { app: { autoscaling: { maxReplicas: 8, targetCPUUtilizationPercentage: 60 } } },
      }),
    );

    expect(hpa?.spec.metrics).toEqual([
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } },
      },
    ]);
  });

  it("adds a memory target beside the CPU one when the spec sets it", () => {
    const hpa = buildAppHorizontalPodAutoscaler(
      aTracker({
        spec: {
          app: {
            autoscaling: {
              maxReplicas: 6,
              targetCPUUtilizationPercentage: 70,
              targetMemoryUtilizationPercentage: 85,
            },
          },
        },
      }),
    );

    expect(hpa?.spec.metrics).toEqual([
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
      },
      {
        type: "Resource",
        resource: { name: "memory", target: { type: "Utilization", averageUtilization: 85 } },
      },
    ]);
  });

  it("waits five minutes before scaling down", () => {
    const hpa = buildAppHorizontalPodAutoscaler(
      aTracker({ spec: { app: { autoscaling: { maxReplicas: 4 } } } }),
    );

    expect(hpa?.spec.behavior?.scaleDown?.stabilizationWindowSeconds).toBe(300);
  });
});
