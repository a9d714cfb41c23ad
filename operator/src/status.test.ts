import type { V1Deployment, V1Pod, V1StatefulSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { aTracker } from "../test/fixtures/tracker.ts";
import { findCondition, reasons } from "./conditions.ts";
import {
  computeStatus,
  deploymentReadiness,
  statefulSetReadiness,
  type ObservedState,
} from "./status.ts";

const readySts: V1StatefulSet = {
  metadata: { generation: 2 },
  spec: { replicas: 1, selector: {}, serviceName: "x", template: {} },
  status: {
    replicas: 1,
    observedGeneration: 2,
    readyReplicas: 1,
    updatedReplicas: 1,
    currentRevision: "a",
    updateRevision: "a",
  },
};
const readyDeployment = (replicas: number): V1Deployment => ({
  metadata: { generation: 1 },
  spec: { replicas, selector: {}, template: {} },
  status: {
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    availableReplicas: replicas,
    readyReplicas: replicas,
  },
});
const allReady: ObservedState = {
  postgres: readySts,
  redis: readyDeployment(1),
  app: readyDeployment(2),
  monitoring: "ready",
  paused: false,
};
const t0 = "2026-01-01T00:00:00Z";
const t1 = "2026-01-01T00:10:00Z";

describe("component readiness", () => {
  it.each([
    ["not yet observed by its controller", { ...readySts, metadata: { generation: 3 } }],
    [
      "with a revision still rolling out",
      { ...readySts, status: { ...readySts.status, replicas: 1, updateRevision: "b" } },
    ],
    [
      "with no ready replica",
      { ...readySts, status: { ...readySts.status, replicas: 1, readyReplicas: 0 } },
    ],
  ])("a StatefulSet %s is not ready", (_what, sts) => {
    expect(statefulSetReadiness(sts, "PostgreSQL").ready).toBe(false);
  });

  it("a Deployment with old replicas left is still rolling out", () => {
    const d = readyDeployment(2);
    const rolling = { ...d, status: { ...d.status, replicas: 3 } };
    expect(deploymentReadiness(rolling, "app")).toEqual({
      ready: false,
      serving: true,
      message: "app: 2/2 available, rolling out",
    });
    expect(deploymentReadiness(d, "app").ready).toBe(true);
  });

  it("holds an autoscaled app not ready until it runs its HPA's minimum", () => {
    const oneOfThree: V1Deployment = {
      metadata: { generation: 1 },
      spec: { replicas: 1, selector: {}, template: {} },
      status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    };
    expect(deploymentReadiness(oneOfThree, "app", 3)).toMatchObject({
      ready: false,
      serving: true,
      message: "app: 1/3 available",
    });
    expect(deploymentReadiness(oneOfThree, "app").ready).toBe(true);
  });

  it("a missing child is reported as not created", () => {
    expect(deploymentReadiness(undefined, "Redis").message).toBe("Redis not created yet");
  });
});

describe("computeStatus", () => {
  it("reports Ready with the URL and the generation it saw", () => {
    const tracker = aTracker({
      metadata: { generation: 4 },
      spec: { ingress: { host: "money.acme.example", tls: { secretName: "acme-tls" } } },
    });
    const status = computeStatus(tracker, allReady, t0);
    expect(status.phase).toBe("Ready");
    expect(status.observedGeneration).toBe(4);
    expect(status.url).toBe("https://money.acme.example");
    expect(findCondition(status.conditions, "Ready")?.status).toBe("True");
    expect(findCondition(status.conditions, "Progressing")?.status).toBe("False");
    expect(findCondition(status.conditions, "Degraded")?.status).toBe("False");
  });

  it("is Pending before any child exists and Provisioning while children start", () => {
    const none = computeStatus(aTracker(), { monitoring: "ready", paused: false }, t0);
    expect(none.phase).toBe("Pending");
    const starting = computeStatus(
      aTracker(),
      { ...allReady, app: { ...readyDeployment(2), status: {} } },
      t0,
    );
    expect(starting.phase).toBe("Provisioning");
    expect(findCondition(starting.conditions, "Ready")?.message).toContain("app: 0/2 available");
  });

  it("is Degraded with the problem's reason when reconciling failed", () => {
    const status = computeStatus(
      aTracker(),
      {
        ...allReady,
        problem: { reason: reasons.invalidSpec, message: "spec.app.adminEmail: required" },
      },
      t0,
    );
    expect(status.phase).toBe("Degraded");
    expect(findCondition(status.conditions, "Degraded")).toMatchObject({
      status: "True",
      reason: "InvalidSpec",
    });
  });

  it("says monitoring is unavailable, without failing, when the Prometheus Operator is missing", () => {
    const status = computeStatus(aTracker(), { ...allReady, monitoring: "crd-missing" }, t0);
    expect(status.phase).toBe("Ready");
    expect(findCondition(status.conditions, "MonitoringReady")).toMatchObject({
      status: "False",
      reason: "PrometheusOperatorNotInstalled",
    });
  });

  it("computes the same status again for an unchanged tenant, so nothing is written", () => {
    const tracker = aTracker();
    const first = computeStatus(tracker, allReady, t0);
    const second = computeStatus({ ...tracker, status: first }, allReady, t1);
    expect(second).toEqual(first);
  });

  it("shows Paused while the pause annotation is set", () => {
    const status = computeStatus(aTracker(), { ...allReady, paused: true }, t0);
    expect(status.phase).toBe("Paused");
    expect(findCondition(status.conditions, "Progressing")?.reason).toBe("Paused");
  });

  it("stays Ready while scaling up, and is Progressing until the rollout completes", () => {
    const scaling: V1Deployment = {
      ...readyDeployment(2),
      spec: { replicas: 4, selector: {}, template: {} },
    };
    const status = computeStatus(aTracker(), { ...allReady, app: scaling }, t0);
    expect(findCondition(status.conditions, "Ready")?.status).toBe("True");
    expect(findCondition(status.conditions, "Progressing")).toMatchObject({
      status: "True",
      reason: "RollingOut",
      message: "app: 2/4 available",
    });
    expect(status.components?.app).toEqual({ ready: false, message: "app: 2/4 available" });
  });

  describe("with the tenant's pods", () => {
    const pendingPod = (name: string, component: string): V1Pod => ({
      metadata: { name, labels: { "app.kubernetes.io/component": component } },
      status: {
        phase: "Pending",
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message: "0/3 nodes are available: 3 Insufficient cpu.",
          },
        ],
      },
    });
    const notAvailable = { ...readyDeployment(2), status: { observedGeneration: 1 } };

    it("names why a component is not ready, in its message and the conditions", () => {
      const status = computeStatus(
        aTracker(),
        { ...allReady, app: notAvailable, pods: [pendingPod("acme-app-x2k", "app")] },
        t0,
      );
      const message =
        "app: 0/2 available, pod acme-app-x2k: unschedulable: 0/3 nodes are available: 3 Insufficient cpu.";
      expect(status.components?.app).toEqual({ ready: false, message });
      expect(findCondition(status.conditions, "Ready")).toMatchObject({
        status: "False",
        message,
      });
      expect(findCondition(status.conditions, "Progressing")?.message).toBe(message);
    });

    it("tells each component by its own pods, and says nothing of a ready one's", () => {
      const status = computeStatus(
        aTracker(),
        {
          ...allReady,
          app: notAvailable,
          pods: [pendingPod("acme-redis-1", "redis"), pendingPod("acme-postgres-0", "postgres")],
        },
        t0,
      );
      expect(status.components?.app?.message).toBe("app: 0/2 available");
      expect(status.components?.redis?.message).toBe("Redis: 1/1 available");
      expect(status.components?.postgres?.message).toBe("PostgreSQL: 1/1 ready");
    });
  });
});
