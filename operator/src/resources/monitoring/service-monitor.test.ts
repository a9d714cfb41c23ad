import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import { childLabels, selectorLabels } from "../../names.ts";
import { buildServiceMonitor } from "./service-monitor.ts";

describe("buildServiceMonitor", () => {
  it("scrapes the app Service's metrics port every 30 seconds", () => {
    const monitor = buildServiceMonitor(aTracker());

    expect(monitor.spec.selector.matchLabels).toEqual(selectorLabels("acme", "app"));
    expect(monitor.spec.endpoints).toEqual([
      { port: "metrics", path: "/metrics", interval: "30s", scrapeTimeout: "10s" },
    ]);
  });

  it("looks for the Service only in the tenant's namespace", () => {
    const monitor = buildServiceMonitor(aTracker());

    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ["tenant-acme"] });
  });

  it("adds the user's labels so a Prometheus selector can find it, keeping ours", () => {
    const monitor = buildServiceMonitor(
      aTracker({ spec: { monitoring: { labels: { release: "kube-prometheus-stack" } } } }),
    );

    expect(monitor.metadata.labels).toEqual({
      ...childLabels("acme", "app"),
      release: "kube-prometheus-stack",
    });
  });

  it("does not let the user's labels replace the ones prune relies on", () => {
    const monitor = buildServiceMonitor(
      aTracker({
        spec: { monitoring: { labels: { "app.kubernetes.io/managed-by": "someone-else" } } },
      }),
    );

    expect(monitor.metadata.labels).toEqual(childLabels("acme", "app"));
  });
});
