import type { V1Job } from "@kubernetes/client-node";
import type { TrackerBackupStatus } from "../api/backup.ts";
import type { FinanceTracker } from "../api/v1alpha1.ts";
import { reasons, type Reason } from "../conditions.ts";
import type { BuildContext } from "../context.ts";
import type { KubeApi } from "../kube/api.ts";
import { hashObject } from "../kube/drift.ts";
import { backupJobName, buildBackupJob, restoreJobName } from "../resources/backup/job.ts";
import { scheduleBackup } from "./schedule.ts";
import {
  backupHealth,
  backupStatusFromJob,
  jobFinished,
  terminationMessage,
  type BackupHealth,
  type TrackerBackup,
} from "./status.ts";

/** What the backup part of a reconcile reads and writes. */
export interface BackupDeps {
  api: KubeApi;
  /** The FinanceTrackerBackups of one tenant, from the informer cache. */
  backups: (namespace: string, trackerName: string) => TrackerBackup[];
  /** A cached Job of ours. */
  job: (namespace: string, name: string) => V1Job | undefined;
  onWrite?: (what: string) => void;
  now: () => Date;
}

/** What the backup part of a reconcile found, for the tenant's status and the queue. */
export interface BackupOutcome {
  health?: BackupHealth;
  /** When the schedule fires next: reconcile again then. */
  requeueAfterMs?: number;
}

const terminal = new Set(["Completed", "Failed", "VerificationFailed"]);

/**
 * Runs the tenant's backups: creates the scheduled FinanceTrackerBackup when a run is due, a Job
 * for every backup that has none, copies each Job's outcome into its backup's status, and
 * summarises them as BackupHealthy and lastBackup.
 */
export async function reconcileBackups(
  tracker: FinanceTracker,
  ctx: BuildContext,
  deps: BackupDeps,
): Promise<BackupOutcome> {
  const { namespace, name } = tracker.metadata;
  const now = deps.now();
  const decision = scheduleBackup(tracker, now);
  const known = deps.backups(namespace, name);
  const due = decision?.create;
  if (due && !known.some((b) => b.metadata.name === due.metadata.name)) {
    const created = await deps.api.apply(due);
    deps.onWrite?.("apply FinanceTrackerBackup");
    const uid = (created.metadata as { uid?: string }).uid ?? "";
    known.push({ ...due, metadata: { ...due.metadata, uid } });
  }
  const statuses = new Map<string, TrackerBackupStatus | undefined>();
  for (const backup of known) {
    statuses.set(backup.metadata.name, await runBackup(tracker, backup, ctx, deps));
  }
  const spec = tracker.spec.backup;
  const health = spec
    ? backupHealth(
        spec,
        known.map((b) => ({ ...b, status: statuses.get(b.metadata.name) ?? b.status })),
        tracker.metadata.creationTimestamp,
        now,
      )
    : undefined;
  return {
    ...(health ? { health } : {}),
    ...(decision ? { requeueAfterMs: decision.nextRunAt.getTime() - now.getTime() + 1000 } : {}),
  };
}

/** Drives one backup towards a final phase; returns its status as it now is. */
async function runBackup(
  tracker: FinanceTracker,
  backup: TrackerBackup,
  ctx: BuildContext,
  deps: BackupDeps,
): Promise<TrackerBackupStatus | undefined> {
  if (backup.metadata.deletionTimestamp || terminal.has(backup.status?.phase ?? "")) {
    return backup.status;
  }
  const { namespace } = tracker.metadata;
  const jobName = backupJobName(backup.metadata.name);
  let job = deps.job(namespace, jobName);
  let status: TrackerBackupStatus;
  if (!tracker.spec.backup) {
    status = { phase: "Failed", message: "the FinanceTracker has no spec.backup to back up to" };
  } else {
    if (!job) {
      const built = buildBackupJob(tracker, backup.metadata, ctx);
      if (built) {
        job = await deps.api.apply(built);
        deps.onWrite?.("apply Job");
      }
    }
    const message = jobFinished(job) ? await jobMessage(namespace, jobName, deps) : undefined;
    status = backupStatusFromJob(job, jobName, message);
  }
  if (hashObject(status) !== hashObject(backup.status ?? {})) {
    await deps.api.applyStatusOf(backup, status);
    deps.onWrite?.("status FinanceTrackerBackup");
  }
  return status;
}

/** The program's result line from the finished Job's pod (read once, when the Job finishes). */
async function jobMessage(
  namespace: string,
  jobName: string,
  deps: BackupDeps,
): Promise<string | undefined> {
  const pods = await deps.api.list(
    { apiVersion: "v1", plural: "pods" },
    namespace,
    `job-name=${jobName}`,
  );
  return terminationMessage(pods.items);
}

/** Where a tenant's restore stands: the app waits for "done". */
export type RestoreState =
  { state: "none" | "done" } | { state: "running" | "failed"; reason: Reason; message: string };

/** The restore's state from the tenant's restore Job (absent: not started yet). */
export function restoreState(tracker: FinanceTracker, job: V1Job | undefined): RestoreState {
  if (!tracker.spec.restore) return { state: "none" };
  const jobName = restoreJobName(tracker.metadata.name);
  const conditions = job?.status?.conditions ?? [];
  if (conditions.some((c) => c.type === "Complete" && c.status === "True"))
    return { state: "done" };
  const failed = conditions.find((c) => c.type === "Failed" && c.status === "True");
  if (failed) {
    return {
      state: "failed",
      reason: reasons.restoreFailed,
      message: `the restore Job ${jobName} failed (${failed.message ?? failed.reason ?? "see its logs"}); delete the FinanceTracker and try again`,
    };
  }
  return {
    state: "running",
    reason: reasons.restoring,
    message: `restoring the database from backup ${tracker.spec.restore.from.backup} (Job ${jobName}); the app starts after it`,
  };
}
