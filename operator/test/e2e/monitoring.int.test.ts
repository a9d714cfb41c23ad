import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { statusCode } from "../harness/api-errors.ts";
import { adminKubeConfig, kubectl } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import { applyTracker, conditionOf, readTracker } from "../harness/trackers.ts";
import { installCrd } from "../harness/manifests.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";
import { startOperatorProcess, type OperatorProcess } from "../harness/operator.ts";

const crdName = "servicemonitors.monitoring.coreos.com";

/** Just enough of the Prometheus Operator's CRD for the API server to serve ServiceMonitors. */
const serviceMonitorCrd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: crdName },
  spec: {
    group: "monitoring.coreos.com",
    scope: "Namespaced",
    names: {
      plural: "servicemonitors",
      singular: "servicemonitor",
      kind: "ServiceMonitor",
      listKind: "ServiceMonitorList",
    },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        },
      },
    ],
  },
};

describe.skipIf(!clusterRunsControllers())("monitoring", () => {
  const ns = useNamespace("mon");
  const custom = adminKubeConfig(inject("cluster").kubeconfig).makeApiClient(CustomObjectsApi);
  let operator: OperatorProcess;

  const apply = (name: string, spec: object) => {
    applyTracker(ns.name, name, spec);
  };
  const monitoringCondition = async (name: string) =>
    conditionOf(await readTracker(ns.name, name), "MonitoringReady");
  const readServiceMonitor = (name: string) =>
    custom.getNamespacedCustomObject({
      group: "monitoring.coreos.com",
      version: "v1",
      plural: "servicemonitors",
      namespace: ns.name,
      name,
    });

  beforeAll(async () => {
    installCrd();
    kubectl(["delete", "crd", crdName, "--ignore-not-found", "--wait=true"]);
    operator = await startOperatorProcess({ watchNamespaces: [ns.name] });
  });
  afterAll(async () => {
    kubectl(["delete", "crd", crdName, "--ignore-not-found", "--wait=false"]);
    await operator.stop();
  });

  it("says monitoring is unavailable, and still gets Ready, without the Prometheus Operator", async () => {
    apply("acme", { app: { adminEmail: "owner@acme.example", replicas: 1 } });
    await eventually("MonitoringReady False", async () => {
      expect(await monitoringCondition("acme")).toMatchObject({
        status: "False",
        reason: "PrometheusOperatorNotInstalled",
      });
    });
    expect(operator.logs()).not.toMatch(/"level":50/); // no error was logged for it
  });

  it("creates the ServiceMonitor once the CRD is installed, without waiting for a resync", async () => {
    kubectl(["apply", "--server-side", "-f", "-"], JSON.stringify(serviceMonitorCrd));
    kubectl(["wait", "--for=condition=Established", `crd/${crdName}`, "--timeout=30s"]);
    const sm = (await eventually("ServiceMonitor acme-app", () => readServiceMonitor("acme-app"), {
      timeoutMs: 90_000,
      intervalMs: 1000,
    })) as { spec: { endpoints: { port: string; path: string }[] } };
    expect(sm.spec.endpoints[0]).toMatchObject({ port: "metrics", path: "/metrics" });
    await eventually("MonitoringReady True", async () => {
      expect((await monitoringCondition("acme"))?.status).toBe("True");
    });
  });

  it("removes the ServiceMonitor when monitoring is switched off", async () => {
    apply("acme", {
      app: { adminEmail: "owner@acme.example", replicas: 1 },
      monitoring: { serviceMonitor: false },
    });
    await eventually("ServiceMonitor pruned", async () => {
      expect(statusCode(await readServiceMonitor("acme-app").catch((e: unknown) => e))).toBe(404);
      expect(await monitoringCondition("acme")).toMatchObject({
        status: "False",
        reason: "MonitoringDisabled",
      });
    });
  });
});
