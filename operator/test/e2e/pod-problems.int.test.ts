import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import { installCrd } from "../harness/manifests.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";
import { metricValue, startOperatorProcess, type OperatorProcess } from "../harness/operator.ts";
import {
  applyTracker,
  conditionOf,
  readTracker,
  trackerResource,
  waitReady,
} from "../harness/trackers.ts";

describe.skipIf(!clusterRunsControllers())("a tenant's status, from its pods", () => {
  const ns = useNamespace("why");
  let operator: OperatorProcess;

  beforeAll(async () => {
    installCrd();
    operator = await startOperatorProcess({
      watchNamespaces: [ns.name],
      leaseName: `why-${ns.name}`,
    });
  });
  afterAll(async () => {
    const code = await operator.stop();
    if (code !== 0) console.error(operator.logs());
  });

  const spec = (cpu: string) => ({
    app: { adminEmail: "owner@greedy.example", replicas: 1, resources: { requests: { cpu } } },
  });

  it("names the scheduling problem of an app that asks for more CPU than any node has", async () => {
    // kwok's fake nodes have 32 CPUs each.
    applyTracker(ns.name, "greedy", spec("500"));
    const tracker = await eventually("the scheduler's verdict in the status", async () => {
      const t = await readTracker(ns.name, "greedy");
      expect(t.status?.components?.postgres?.ready).toBe(true);
      expect(t.status?.components?.redis?.ready).toBe(true);
      expect(t.status?.components?.app).toEqual({
        ready: false,
        message: expect.stringMatching(
          /^app: 0\/1 available, pod greedy-app-[a-z0-9]+-[a-z0-9]+: unschedulable: 0\/\d+ nodes are available: [^.]*Insufficient cpu\.$/,
        ) as unknown,
      });
      return t;
    });
    expect(conditionOf(tracker, "Ready")).toMatchObject({
      status: "False",
      message: tracker.status?.components?.app?.message,
    });
    expect(tracker.status?.phase).toBe("Provisioning");
    const described = kubectl(["describe", trackerResource, "greedy", "-n", ns.name]);
    expect(described).toContain("Insufficient cpu");
  });

  it("writes the status once, not on every pass, while the pod stays unschedulable", async () => {
    const writes = () =>
      metricValue(operator.metricsUrl, "rest_client_requests_total", { method: "PATCH" });
    const before = await writes();
    await new Promise((r) => setTimeout(r, 3000));
    expect(await writes()).toBe(before);
    expect(conditionOf(await readTracker(ns.name, "greedy"), "Ready")?.status).toBe("False");
  });

  it("drops the problem once the app fits and becomes Ready", async () => {
    applyTracker(ns.name, "greedy", spec("100m"));
    await waitReady(ns.name, "greedy", { timeoutMs: 90_000 });
    await eventually("the app's rollout complete", async () => {
      const t = await readTracker(ns.name, "greedy");
      expect(t.status?.components?.app).toEqual({ ready: true, message: "app: 1/1 available" });
    });
  });
});
