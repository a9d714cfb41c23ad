import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3CredentialsSecret } from "../harness/backups.ts";
import { eventually } from "../harness/eventually.ts";
import { installCrd } from "../harness/manifests.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";
import { metricValue, startOperatorProcess, type OperatorProcess } from "../harness/operator.ts";
import { checkMetrics } from "../harness/promtool.ts";
import { applyTracker, waitReady } from "../harness/trackers.ts";

// The /metrics of the operator process itself (operator/src/main.ts, as the Deployment runs it)
// after it reconciled a tenant: runtime, controller, workqueue, client and tenant metrics, each
// with samples, which is what Prometheus scrapes and the dashboards and alerts query.
describe.skipIf(!clusterRunsControllers())("the operator's /metrics", () => {
  const ns = useNamespace("metrics");
  let operator: OperatorProcess;

  beforeAll(async () => {
    installCrd();
    createS3CredentialsSecret(ns.name, "acme-s3");
    operator = await startOperatorProcess({ watchNamespaces: [ns.name] });
    applyTracker(ns.name, "acme", {
      app: { adminEmail: "owner@acme.example", replicas: 1 },
      backup: {
        // Once a year: the backup gauges get their series without a backup Job running.
        schedule: "0 3 1 1 *",
        destination: {
          s3: {
            bucket: "fintrack-backups",
            prefix: "acme",
            credentialsSecretRef: { name: "acme-s3" },
          },
        },
      },
    });
    await waitReady(ns.name, "acme");
    // The per-tenant gauges are refreshed from the cache every 15 seconds.
    await eventually(
      "fintrack_tenant_ready 1",
      async () => {
        expect(
          await metricValue(operator.metricsUrl, "fintrack_tenant_ready", { namespace: ns.name }),
        ).toBe(1);
      },
      { timeoutMs: 30_000 },
    );
  });
  afterAll(async () => {
    const code = await operator.stop();
    if (code !== 0) console.error(operator.logs());
  });

  it("passes promtool check metrics without a single lint problem", async () => {
    const res = await fetch(operator.metricsUrl);
    expect(res.status).toBe(200);
    expect(checkMetrics(await res.text())).toEqual({ status: 0, problems: [] });
  });

  it("has samples in the histograms and counters it was checked with", async () => {
    const value = (name: string, labels?: Record<string, string>) =>
      metricValue(operator.metricsUrl, name, labels);
    expect(await value("controller_runtime_reconcile_time_seconds_count")).toBeGreaterThan(0);
    expect(await value("controller_runtime_reconcile_total")).toBeGreaterThan(0);
    expect(await value("workqueue_adds_total")).toBeGreaterThan(0);
    expect(await value("workqueue_work_duration_seconds_count")).toBeGreaterThan(0);
    expect(await value("rest_client_requests_total", { method: "PATCH" })).toBeGreaterThan(0);
    expect(await value("process_resident_memory_bytes")).toBeGreaterThan(0);
    const text = await (await fetch(operator.metricsUrl)).text();
    expect(text).toMatch(
      new RegExp(`^fintrack_backup_healthy\\{[^}]*namespace="${ns.name}"[^}]*\\} 0$`, "m"),
    );
  });
});
