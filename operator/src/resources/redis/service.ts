import type { V1Service } from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { ports } from "../../context.ts";
import { childMetadata, childNames, selectorLabels } from "../../names.ts";

/** The Service the app reaches Redis through, the host of the Redis URL. */
export function buildRedisService(tracker: FinanceTracker): V1Service {
  const name = tracker.metadata.name;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: childMetadata(tracker, "redis", childNames(name).redis),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(name, "redis"),
      ports: [{ name: "redis", protocol: "TCP", port: ports.redis, targetPort: "redis" }],
    },
  };
}
