import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { KubeApi } from "../../src/kube/api.ts";
import { buildServiceMonitor } from "../../src/resources/monitoring/service-monitor.ts";
import { statusCode } from "../harness/api-errors.ts";
import { adminKubeConfig, kubectl, repoRoot } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import { applyTracker, conditionOf, readTracker } from "../harness/trackers.ts";
import { installCrd } from "../harness/manifests.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";
import { startOperatorProcess, type OperatorProcess } from "../harness/operator.ts";

const crdName = "servicemonitors.monitoring.coreos.com";

/** The Prometheus Operator release whose CRDs hack/install-crds.sh installs. */
function pinnedPrometheusOperator(): string {
  const pins = readFileSync(join(repoRoot, "hack/versions.env"), "utf8");
  const version = /^PROMETHEUS_OPERATOR_VERSION=v(\S+)$/m.exec(pins)?.[1];
  if (!version) throw new Error("hack/versions.env pins no PROMETHEUS_OPERATOR_VERSION");
  return version;
}

// The real CRD is installed cluster-wide for every test (hack/install-crds.sh), so no test here
// deletes it to see the operator without it: the API server's answer for a missing CRD is proven
// below with a name no cluster has, and what the operator makes of either answer, and of the CRD
// coming or going while it runs, by the pure decisions in service-monitor-discovery.test.ts,
// status.test.ts and desired.test.ts.
describe("the operator's check for the ServiceMonitor CRD, on the real API server", () => {
  const api = new KubeApi(adminKubeConfig(inject("cluster").kubeconfig));

  it("finds the Prometheus Operator's own CRD, at the pinned release", async () => {
    expect(await api.crdInstalled(crdName)).toBe(true);
    const version = kubectl([
      "get",
      "crd",
      crdName,
      "--output=jsonpath={.metadata.annotations.operator\\.prometheus\\.io/version}",
    ]);
    expect(version).toBe(pinnedPrometheusOperator());
  });

  it("says a CRD the cluster does not have is not installed", async () => {
    expect(await api.crdInstalled("servicemonitors.monitoring.fintrack.invalid")).toBe(false);
  });
});

describe.skipIf(!clusterRunsControllers())("monitoring with the Prometheus Operator's CRDs", () => {
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
    operator = await startOperatorProcess({ watchNamespaces: [ns.name] });
  });
  afterAll(async () => {
    await operator.stop();
  });

  it("gives each tenant a ServiceMonitor that the real schema stores as built, and says MonitoringReady", async () => {
    const labels = { release: "kube-prometheus-stack" };
    apply("acme", {
      app: { adminEmail: "owner@acme.example", replicas: 1 },
      monitoring: { labels },
    });
    apply("globex", { app: { adminEmail: "owner@globex.example", replicas: 1 } });
    for (const name of ["acme", "globex"]) {
      const stored = (await eventually(
        `ServiceMonitor ${name}-app`,
        () => readServiceMonitor(`${name}-app`),
        { timeoutMs: 90_000, intervalMs: 1000 },
      )) as { metadata: { labels: Record<string, string> }; spec: object };
      // A structural schema drops what it does not know: equal means every field was kept.
      const built = buildServiceMonitor(await readTracker(ns.name, name));
      expect(stored.spec).toEqual(built.spec);
      expect(stored.metadata.labels).toMatchObject(built.metadata.labels);
      await eventually(`${name} MonitoringReady True`, async () => {
        expect(await monitoringCondition(name)).toMatchObject({
          status: "True",
          reason: "ServiceMonitorReady",
        });
      });
    }
    const acme = (await readServiceMonitor("acme-app")) as {
      metadata: { labels: Record<string, string> };
    };
    expect(acme.metadata.labels).toMatchObject(labels);
    expect(operator.logs()).not.toMatch(/"level":50/); // no error was logged
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
    // The other tenant keeps its own.
    await expect(readServiceMonitor("globex-app")).resolves.toBeDefined();
  });
});
