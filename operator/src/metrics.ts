import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from "prom-client";

/**
 * The operator's Prometheus metrics under the names and labels controller-runtime and client-go
 * use, so dashboards and alerts written for Go operators work unchanged. Only fintrack_tenants
 * is our own.
 */

/** The `result` label values of controller_runtime_reconcile_total. */
export type ReconcileResult = "success" | "error" | "requeue" | "requeue_after";

/** Every metric the operator exports, typed by its label names. */
export interface Metrics {
  reconcileTotal: Counter<"controller" | "result">;
  reconcileErrorsTotal: Counter<"controller">;
  reconcileTimeSeconds: Histogram<"controller">;
  maxConcurrentReconciles: Gauge<"controller">;
  activeWorkers: Gauge<"controller">;
  workqueueDepth: Gauge<"name" | "controller">;
  workqueueAddsTotal: Counter<"name" | "controller">;
  workqueueQueueDurationSeconds: Histogram<"name" | "controller">;
  workqueueWorkDurationSeconds: Histogram<"name" | "controller">;
  workqueueRetriesTotal: Counter<"name" | "controller">;
  workqueueUnfinishedWorkSeconds: Gauge<"name" | "controller">;
  workqueueLongestRunningProcessorSeconds: Gauge<"name" | "controller">;
  leaderElectionMasterStatus: Gauge<"name">;
  tenants: Gauge<"phase">;
  /** Per tenant: 1 while its Ready condition is True (alerts: not Ready for 10 minutes). */
  tenantReady: Gauge<"namespace" | "name">;
  /** Per tenant with spec.backup: 1 while BackupHealthy is True; `reason` says why not. */
  backupHealthy: Gauge<"namespace" | "name" | "reason">;
  /** Per tenant: when its newest good backup finished, and whether that one was verified. */
  backupLastSuccess: Gauge<"namespace" | "name">;
  backupLastVerified: Gauge<"namespace" | "name">;
  restClientRequestsTotal: Counter<"code" | "method" | "host">;
  /** Sharded: the tenants this replica works on (its label-selected cache), by its shard name. */
  shardTenants: Gauge<"shard">;
  /** Sharded: tenants this replica let go when the sharder asked (drain acknowledged). */
  shardDrainsTotal: Counter<"shard">;
  /** The sharder (the leader): live members, and the tenants it labelled for each. */
  sharderMembers: Gauge;
  sharderAssignments: Gauge<"shard">;
  /** The sharder's label writes: `assign` (to a live member) and `drain` (ask the owner to let go). */
  sharderMovesTotal: Counter<"action">;
}

/** controller-runtime's reconcile_time_seconds buckets: fine below a second, coarse up to 60 s. */
export const reconcileTimeBuckets: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1,
  1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/**
 * client-go's workqueue duration buckets, ExponentialBuckets(10e-9, 10, 10): 10 ns to 10 s.
 * Written out because repeated float multiplication would give bounds like 1.0000000000000002e-7.
 */
export const workqueueDurationBuckets: readonly number[] = [
  1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10,
];

/**
 * prom-client's default gauges named `*_total` (prometheus/client_js#283): `_total` promises a
 * counter, so `promtool check metrics` flags them, and each is only the sum of its by-type twin
 * (`sum(nodejs_active_handles)`), which stays.
 */
export const droppedDefaultMetrics: readonly string[] = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** Registers the process and Node.js runtime metrics, without the misnamed totals above. */
export function defaultMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of droppedDefaultMetrics) registry.removeSingleMetric(name);
}

/** Creates the operator's metrics and registers them in `registry` (one call per registry). */
export function createMetrics(registry: Registry): Metrics {
  const registers = [registry];
  const queueLabels = ["name", "controller"] as const;
  return {
    reconcileTotal: new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller",
      labelNames: ["controller", "result"] as const,
      registers,
    }),
    reconcileErrorsTotal: new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller",
      labelNames: ["controller"] as const,
      registers,
    }),
    reconcileTimeSeconds: new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"] as const,
      buckets: [...reconcileTimeBuckets],
      registers,
    }),
    maxConcurrentReconciles: new Gauge({
      name: "controller_runtime_max_concurrent_reconciles",
      help: "Maximum number of concurrent reconciles per controller",
      labelNames: ["controller"] as const,
      registers,
    }),
    activeWorkers: new Gauge({
      name: "controller_runtime_active_workers",
      help: "Number of currently used workers per controller",
      labelNames: ["controller"] as const,
      registers,
    }),
    workqueueDepth: new Gauge({
      name: "workqueue_depth",
      help: "Current depth of workqueue",
      labelNames: queueLabels,
      registers,
    }),
    workqueueAddsTotal: new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames: queueLabels,
      registers,
    }),
    workqueueQueueDurationSeconds: new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested",
      labelNames: queueLabels,
      buckets: [...workqueueDurationBuckets],
      registers,
    }),
    workqueueWorkDurationSeconds: new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from workqueue takes",
      labelNames: queueLabels,
      buckets: [...workqueueDurationBuckets],
      registers,
    }),
    workqueueRetriesTotal: new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames: queueLabels,
      registers,
    }),
    workqueueUnfinishedWorkSeconds: new Gauge({
      name: "workqueue_unfinished_work_seconds",
      help:
        "How many seconds of work has been done that is in progress and hasn't been observed " +
        "by work_duration. Large values indicate stuck threads. One can deduce the number of " +
        "stuck threads by observing the rate at which this increases",
      labelNames: queueLabels,
      registers,
    }),
    workqueueLongestRunningProcessorSeconds: new Gauge({
      name: "workqueue_longest_running_processor_seconds",
      help: "How many seconds has the longest running processor for workqueue been running",
      labelNames: queueLabels,
      registers,
    }),
    leaderElectionMasterStatus: new Gauge({
      name: "leader_election_master_status",
      help:
        "Gauge of if the reporting system is master of the relevant lease, 0 indicates " +
        "backup, 1 indicates master. 'name' is the string used to identify the lease",
      labelNames: ["name"] as const,
      registers,
    }),
    tenants: new Gauge({
      name: "fintrack_tenants",
      help: "Number of FinanceTracker tenants by status phase",
      labelNames: ["phase"] as const,
      registers,
    }),
    tenantReady: new Gauge({
      name: "fintrack_tenant_ready",
      help: "1 when the tenant's Ready condition is True, else 0",
      labelNames: ["namespace", "name"] as const,
      registers,
    }),
    backupHealthy: new Gauge({
      name: "fintrack_backup_healthy",
      help: "1 when the tenant's BackupHealthy condition is True, else 0; reason as on the condition",
      labelNames: ["namespace", "name", "reason"] as const,
      registers,
    }),
    backupLastSuccess: new Gauge({
      name: "fintrack_backup_last_success_timestamp_seconds",
      help: "Unix time at which the tenant's newest completed backup finished",
      labelNames: ["namespace", "name"] as const,
      registers,
    }),
    backupLastVerified: new Gauge({
      name: "fintrack_backup_last_verified",
      help: "1 when the tenant's newest completed backup was verified by a restore, else 0",
      labelNames: ["namespace", "name"] as const,
      registers,
    }),
    restClientRequestsTotal: new Counter({
      name: "rest_client_requests_total",
      help: "Number of HTTP requests, partitioned by status code, method, and host",
      labelNames: ["code", "method", "host"] as const,
      registers,
    }),
    shardTenants: new Gauge({
      name: "fintrack_shard_tenants",
      help: "Tenants this sharded replica works on",
      labelNames: ["shard"] as const,
      registers,
    }),
    shardDrainsTotal: new Counter({
      name: "fintrack_shard_drains_total",
      help: "Tenants this sharded replica let go of at the sharder's request",
      labelNames: ["shard"] as const,
      registers,
    }),
    sharderMembers: new Gauge({
      name: "fintrack_sharder_members",
      help: "Shard members with a live Lease, as the sharder (the leader) counts them",
      registers,
    }),
    sharderAssignments: new Gauge({
      name: "fintrack_sharder_assignments",
      help: "Tenants labelled for each shard member, as the sharder (the leader) sees them",
      labelNames: ["shard"] as const,
      registers,
    }),
    sharderMovesTotal: new Counter({
      name: "fintrack_sharder_moves_total",
      help: "Label writes of the sharder: assign (to a live member) or drain (ask its owner to let go)",
      labelNames: ["action"] as const,
      registers,
    }),
  };
}
