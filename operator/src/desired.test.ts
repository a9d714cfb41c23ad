import { describe, expect, it } from "vitest";
import { aContext, aTracker } from "../test/fixtures/tracker.ts";
import { desiredObjects } from "./desired.ts";

/** The kinds among a tenant's desired children that come from monitoring.coreos.com. */
function monitoringKinds(objects: ReturnType<typeof desiredObjects>): string[] {
  return objects
    .filter((o) => o.apiVersion?.startsWith("monitoring.coreos.com/"))
    .map((o) => o.kind ?? "?");
}

describe("desiredObjects: the optional ServiceMonitor", () => {
  it("includes a ServiceMonitor when monitoring is on and the Prometheus Operator's CRD is installed", () => {
    const objects = desiredObjects(aTracker(), aContext({ serviceMonitorAvailable: true }));
    expect(monitoringKinds(objects)).toEqual(["ServiceMonitor"]);
  });

  it("omits the ServiceMonitor when the CRD is not installed, which the API server would refuse", () => {
    const objects = desiredObjects(aTracker(), aContext({ serviceMonitorAvailable: false }));
    expect(monitoringKinds(objects)).toEqual([]);
    // Everything else is still there: a missing Prometheus Operator never holds a tenant back.
    const withCrd = desiredObjects(aTracker(), aContext({ serviceMonitorAvailable: true }));
    expect(objects).toHaveLength(withCrd.length - 1);
  });

  it("omits the ServiceMonitor when monitoring is disabled", () => {
    const tracker = aTracker({ spec: { monitoring: { serviceMonitor: false } } });
    const objects = desiredObjects(tracker, aContext({ serviceMonitorAvailable: true }));
    expect(monitoringKinds(objects)).toEqual([]);
  });
});
