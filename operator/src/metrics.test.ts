import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics, defaultMetrics, droppedDefaultMetrics } from "./metrics.ts";

async function exposition(observe: (m: ReturnType<typeof createMetrics>) => void): Promise<string> {
  const registry = new Registry();
  observe(createMetrics(registry));
  return registry.metrics();
}

describe("createMetrics", () => {
  it("exposes controller-runtime's reconcile metrics under their names and labels", async () => {
    const text = await exposition((m) => {
      m.reconcileTotal.inc({ controller: "financetracker", result: "success" });
      m.reconcileTotal.inc({ controller: "financetracker", result: "requeue_after" });
      m.reconcileErrorsTotal.inc({ controller: "financetracker" });
      m.reconcileTimeSeconds.observe({ controller: "financetracker" }, 0.2);
      m.maxConcurrentReconciles.set({ controller: "financetracker" }, 4);
      m.activeWorkers.set({ controller: "financetracker" }, 1);
    });
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="financetracker",result="success"} 1',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="financetracker",result="requeue_after"} 1',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_errors_total{controller="financetracker"} 1',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_time_seconds_bucket{le="0.005",controller="financetracker"} 0',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_time_seconds_bucket{le="0.2",controller="financetracker"} 1',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_time_seconds_bucket{le="60",controller="financetracker"} 1',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_time_seconds_count{controller="financetracker"} 1',
    );
    expect(text).toContain(
      'controller_runtime_max_concurrent_reconciles{controller="financetracker"} 4',
    );
    expect(text).toContain('controller_runtime_active_workers{controller="financetracker"} 1');
  });

  it("exposes client-go's workqueue metrics labelled by queue name and controller", async () => {
    const labels = { name: "financetracker", controller: "financetracker" };
    const text = await exposition((m) => {
      m.workqueueDepth.set(labels, 3);
      m.workqueueAddsTotal.inc(labels);
      m.workqueueQueueDurationSeconds.observe(labels, 0.5);
      m.workqueueWorkDurationSeconds.observe(labels, 2);
      m.workqueueRetriesTotal.inc(labels);
      m.workqueueUnfinishedWorkSeconds.set(labels, 1.5);
      m.workqueueLongestRunningProcessorSeconds.set(labels, 1.5);
    });
    const l = 'name="financetracker",controller="financetracker"';
    expect(text).toContain(`workqueue_depth{${l}} 3`);
    expect(text).toContain(`workqueue_adds_total{${l}} 1`);
    expect(text).toContain(`workqueue_queue_duration_seconds_bucket{le="1e-8",${l}} 0`);
    expect(text).toContain(`workqueue_queue_duration_seconds_bucket{le="1",${l}} 1`);
    expect(text).toContain(`workqueue_queue_duration_seconds_bucket{le="10",${l}} 1`);
    expect(text).toContain(`workqueue_work_duration_seconds_bucket{le="1",${l}} 0`);
    expect(text).toContain(`workqueue_work_duration_seconds_bucket{le="10",${l}} 1`);
    expect(text).toContain(`workqueue_work_duration_seconds_sum{${l}} 2`);
    expect(text).toContain(`workqueue_retries_total{${l}} 1`);
    expect(text).toContain(`workqueue_unfinished_work_seconds{${l}} 1.5`);
    expect(text).toContain(`workqueue_longest_running_processor_seconds{${l}} 1.5`);
  });

  it("exposes leader election, tenant and API request metrics", async () => {
    const text = await exposition((m) => {
      m.leaderElectionMasterStatus.set({ name: "fintrack-operator" }, 1);
      m.tenants.set({ phase: "Ready" }, 7);
      m.restClientRequestsTotal.inc({ code: "409", method: "PATCH", host: "10.0.0.1:443" });
    });
    expect(text).toContain('leader_election_master_status{name="fintrack-operator"} 1');
    expect(text).toContain('fintrack_tenants{phase="Ready"} 7');
    expect(text).toContain(
      'rest_client_requests_total{code="409",method="PATCH",host="10.0.0.1:443"} 1',
    );
  });

  it("registers every metric in the given registry only", async () => {
    const registry = new Registry();
    createMetrics(registry);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names).toEqual([
      "controller_runtime_active_workers",
      "controller_runtime_max_concurrent_reconciles",
      "controller_runtime_reconcile_errors_total",
      "controller_runtime_reconcile_time_seconds",
      "controller_runtime_reconcile_total",
      "fintrack_backup_healthy",
      "fintrack_backup_last_success_timestamp_seconds",
      "fintrack_backup_last_verified",
      "fintrack_shard_drains_total",
      "fintrack_shard_tenants",
      "fintrack_sharder_assignments",
      "fintrack_sharder_members",
      "fintrack_sharder_moves_total",
      "fintrack_tenant_ready",
      "fintrack_tenants",
      "leader_election_master_status",
      "rest_client_requests_total",
      "workqueue_adds_total",
      "workqueue_depth",
      "workqueue_longest_running_processor_seconds",
      "workqueue_queue_duration_seconds",
      "workqueue_retries_total",
      "workqueue_unfinished_work_seconds",
      "workqueue_work_duration_seconds",
    ]);
    // A second set in a fresh registry does not collide with the first.
    expect(() => createMetrics(new Registry())).not.toThrow();
  });
});

describe("defaultMetrics", () => {
  it("registers the runtime metrics but not the gauges misnamed *_total, whose by-type twins stay", async () => {
    const registry = new Registry();
    defaultMetrics(registry);
    const metrics = await registry.getMetricsAsJSON();
    const names = metrics.map((m) => m.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "nodejs_active_handles",
        "nodejs_active_requests",
        "nodejs_eventloop_lag_seconds",
      ]),
    );
    for (const dropped of droppedDefaultMetrics) expect(names).not.toContain(dropped);
    const gauges = metrics.filter((m) => String(m.type) === "gauge").map((m) => m.name);
    expect(gauges.filter((name) => name.endsWith("_total"))).toEqual([]);
  });
});
