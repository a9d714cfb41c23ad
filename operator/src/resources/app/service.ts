import type { V1Service } from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { ports } from "../../context.ts";
import { childMetadata, childNames, selectorLabels } from "../../names.ts";

/** The app's ClusterIP Service: http for the Ingress, metrics for Prometheus. */
export function buildAppService(tracker: FinanceTracker): V1Service {
  const name = tracker.metadata.name;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: childMetadata(tracker, "app", childNames(name).app),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(name, "app"),
      ports: [
        { name: "http", protocol: "TCP", port: ports.appHttp, targetPort: "http" },
        { name: "metrics", protocol: "TCP", port: ports.appMetrics, targetPort: "metrics" },
      ],
    },
  };
}
