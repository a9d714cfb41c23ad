import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { childMetadata, childNames, selectorLabels } from "../../names.ts";

/** The part of the Prometheus Operator's ServiceMonitor (monitoring.coreos.com/v1) we set. */
export interface ServiceMonitor {
  apiVersion: "monitoring.coreos.com/v1";
  kind: "ServiceMonitor";
  metadata: ReturnType<typeof childMetadata>;
  spec: {
    selector: { matchLabels: Record<string, string> };
    namespaceSelector: { matchNames: string[] };
    endpoints: { port: string; path: string; interval: string; scrapeTimeout: string }[];
  };
}

/** Has Prometheus scrape the app Service's metrics port; labelled to match the user's Prometheus. */
export function buildServiceMonitor(tracker: FinanceTracker): ServiceMonitor {
  const { name, namespace } = tracker.metadata;
  const labels = tracker.spec.monitoring.labels;
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: childMetadata(tracker, "app", childNames(name).app, labels ? { labels } : {}),
    spec: {
      selector: { matchLabels: selectorLabels(name, "app") },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [{ port: "metrics", path: "/metrics", interval: "30s", scrapeTimeout: "10s" }],
    },
  };
}
