import type { V1PodDisruptionBudget } from "@kubernetes/client-node";
import type { FinanceTracker, FinanceTrackerSpec } from "../../api/v1alpha1.ts";
import { childMetadata, childNames, selectorLabels } from "../../names.ts";

/**
 * Whether the app runs more than one replica, the only case where a budget helps: with a single
 * replica `maxUnavailable: 1` protects nothing, and `0` would block every node drain.
 */
export function needsPodDisruptionBudget(spec: FinanceTrackerSpec): boolean {
  const autoscaling = spec.app.autoscaling;
  return autoscaling ? autoscaling.minReplicas > 1 : spec.app.replicas > 1;
}

/** Lets voluntary disruptions (drains, upgrades) take down at most one app pod at a time. */
export function buildAppPodDisruptionBudget(tracker: FinanceTracker): V1PodDisruptionBudget {
  const name = tracker.metadata.name;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: childMetadata(tracker, "app", childNames(name).app),
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(name, "app") },
    },
  };
}
