import type { V1Job } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { TrackerBackupStatus } from "../api/backup.ts";
import type { FinanceTracker } from "../api/v1alpha1.ts";
import { mergeConditions, reasons, type ConditionInput, type Reason } from "../conditions.ts";
import type { BuildContext } from "../context.ts";
import { classifyError } from "../errors.ts";
import type { KubeApi } from "../kube/api.ts";
import { hashObject } from "../kube/drift.ts";
import {
  storedBackupFieldManager,
  storedBackupFinalizer,
  backupJobName,
  deleteJobName,
  restoreJobName,
} from "../names.ts";
import { buildBackupJob, buildDeleteStoredBackupJob } from "../resources/backup/job.ts";
import { decideStoredBackup, type BackupEvent } from "./finalizer.ts";
import { backupsPastHistoryLimit } from "./history.ts";
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
  /** Where a refused Event is noted; Events are best effort. */
  log?: Logger;
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
  let retryAt: Date | undefined;
  for (const backup of known) {
    const status = await runBackup(tracker, backup, ctx, deps);
    statuses.set(backup.metadata.name, status);
    const settled = await settleStoredBackup({ ...backup, status }, tracker, ctx, deps);
    if (settled && (!retryAt || settled < retryAt)) retryAt = settled;
  }
  const spec = tracker.spec.backup;
  const current = known.map((b) => ({ ...b, status: statuses.get(b.metadata.name) ?? b.status }));
  if (spec) await collectHistory(backupsPastHistoryLimit(current, spec), deps);
  const health = spec
    ? backupHealth(spec, current, tracker.metadata.creationTimestamp, now)
    : undefined;
  const wakeAt = [decision?.nextRunAt, retryAt]
    .filter((d): d is Date => d !== undefined)
    .map((d) => d.getTime())
    .sort((a, b) => a - b)[0];
  return {
    ...(health ? { health } : {}),
    ...(wakeAt === undefined ? {} : { requeueAfterMs: wakeAt - now.getTime() + 1000 }),
  };
}

/**
 * Deletes scheduled backup objects past their history limit; their stored backups stay. Best
 * effort: a refused delete is logged and retried on the next pass, never holding up the rest.
 */
async function collectHistory(old: readonly TrackerBackup[], deps: BackupDeps): Promise<void> {
  for (const { apiVersion, kind, metadata } of old) {
    try {
      await deps.api.delete({
        apiVersion,
        kind,
        metadata: { name: metadata.name, namespace: metadata.namespace },
      });
      deps.onWrite?.("delete FinanceTrackerBackup");
    } catch (error) {
      deps.log?.warn(
        { backup: metadata.name, error: classifyError(error) },
        "could not delete a backup object past its history limit",
      );
    }
  }
}

/**
 * The backups naming a tenant that does not exist, not yet or no more. One still to run waits
 * (Pending, saying why): a tenant and its backup applied together arrive in any order. One whose
 * Job already runs is still followed to its end. The stored-backup finalizer is released: with
 * the tenant gone, nothing knows the bucket or the credentials to delete with.
 */
export async function reconcileOrphanBackups(
  namespace: string,
  trackerName: string,
  deps: BackupDeps,
): Promise<void> {
  for (const backup of deps.backups(namespace, trackerName)) {
    let status = backup.status;
    if (!backup.metadata.deletionTimestamp && !terminal.has(status?.phase ?? "")) {
      const jobName = backupJobName(backup.metadata.name);
      const job = deps.job(namespace, jobName);
      status = job
        ? await statusFromJob(namespace, jobName, job, deps)
        : {
            phase: "Pending",
            message: `waiting for FinanceTracker ${trackerName}, which does not exist in namespace ${namespace}`,
          };
      await writeBackupStatus(backup, status, deps);
    }
    await settleStoredBackup(
      { ...backup, ...(status ? { status } : {}) },
      undefined,
      undefined,
      deps,
    );
  }
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
    status = await statusFromJob(namespace, jobName, job, deps);
  }
  await writeBackupStatus(backup, status, deps);
  return status;
}

async function statusFromJob(
  namespace: string,
  jobName: string,
  job: V1Job | undefined,
  deps: BackupDeps,
): Promise<TrackerBackupStatus> {
  const message = jobFinished(job) ? await jobMessage(namespace, jobName, deps) : undefined;
  return backupStatusFromJob(job, jobName, message);
}

/** Writes a backup's status when it differs from what the object has. */
async function writeBackupStatus(
  backup: TrackerBackup,
  status: TrackerBackupStatus,
  deps: BackupDeps,
): Promise<void> {
  if (hashObject(status) === hashObject(backup.status ?? {})) return;
  await deps.api.applyStatusOf(backup, status);
  deps.onWrite?.("status FinanceTrackerBackup");
}

/**
 * Acts on the stored-backup decision for one backup (see finalizer.ts). Returns when to look
 * again, for a failed delete Job waiting to be retried.
 */
async function settleStoredBackup(
  backup: TrackerBackup,
  tracker: FinanceTracker | undefined,
  ctx: BuildContext | undefined,
  deps: BackupDeps,
): Promise<Date | undefined> {
  const { namespace, name } = backup.metadata;
  const jobName = deleteJobName(name);
  const job = backup.metadata.deletionTimestamp ? deps.job(namespace, jobName) : undefined;
  const message = jobFinished(job) ? await jobMessage(namespace, jobName, deps) : undefined;
  const now = deps.now();
  const step = decideStoredBackup({ backup, tracker, job, jobMessage: message, now });
  switch (step.action) {
    case "none":
      return undefined;
    case "hold":
      await setFinalizer(backup, [storedBackupFinalizer], deps);
      return undefined;
    case "release":
      if (step.event) await backupEvent(backup, step.event, deps);
      await setFinalizer(backup, [], deps);
      return undefined;
    case "start-job":
      await startDeleteJob(backup, tracker, ctx, deps);
      return undefined;
    case "wait":
      await reportCondition(backup, step.condition, deps);
      return undefined;
    case "retry":
      if (job) await deps.api.delete(job);
      deps.onWrite?.("delete Job");
      await reportCondition(backup, step.condition, deps);
      return undefined;
    case "failed":
      if (await reportCondition(backup, step.condition, deps)) {
        await backupEvent(backup, step.event, deps);
      }
      return step.retryAt;
  }
}

async function setFinalizer(
  backup: TrackerBackup,
  finalizers: string[],
  deps: BackupDeps,
): Promise<void> {
  await deps.api.applyFinalizersAs(backup, finalizers, storedBackupFieldManager);
  deps.onWrite?.("finalizer FinanceTrackerBackup");
}

/** Creates the delete Job; the decision only asks for it with a tenant and a key at hand. */
async function startDeleteJob(
  backup: TrackerBackup,
  tracker: FinanceTracker | undefined,
  ctx: BuildContext | undefined,
  deps: BackupDeps,
): Promise<void> {
  const key = backup.status?.key;
  if (!tracker || !ctx || !key) return;
  const built = buildDeleteStoredBackupJob(tracker, { ...backup.metadata, key }, ctx);
  if (!built) return;
  await deps.api.apply(built);
  deps.onWrite?.("apply Job");
}

/** Sets a condition on the backup's status; true when it said something new. */
async function reportCondition(
  backup: TrackerBackup,
  condition: ConditionInput,
  deps: BackupDeps,
): Promise<boolean> {
  const before = backup.status?.conditions?.find((c) => c.type === condition.type);
  if (before?.reason === condition.reason && before.message === condition.message) return false;
  const conditions = mergeConditions(
    backup.status?.conditions,
    [condition],
    undefined,
    deps.now().toISOString(),
  );
  await writeBackupStatus(backup, { ...backup.status, conditions }, deps);
  return true;
}

/** Records an Event on the backup; best effort, like every Event. */
async function backupEvent(
  backup: TrackerBackup,
  { type, reason, message }: BackupEvent,
  deps: BackupDeps,
): Promise<void> {
  try {
    await deps.api.event(backup, type, reason, message, deps.now());
  } catch (error) {
    const kind = classifyError(error).kind;
    deps.log?.warn(
      { backup: backup.metadata.name, reason, error: kind },
      "could not record an event",
    );
  }
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
