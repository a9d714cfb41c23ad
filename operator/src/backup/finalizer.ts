import type { V1Job } from "@kubernetes/client-node";
import type { FinanceTracker } from "../api/v1alpha1.ts";
import { conditionTypes, reasons, type ConditionInput, type Reason } from "../conditions.ts";
import { storedBackupFinalizer, deleteJobName } from "../names.ts";
import { parseProgramResult, type TrackerBackup } from "./status.ts";

/** How long a failed delete Job stays before the operator runs a fresh one. */
export const deleteRetryMs = 5 * 60_000;

/** An Event to record on the FinanceTrackerBackup. */
export interface BackupEvent {
  type: "Normal" | "Warning";
  reason: Reason;
  message: string;
}

/** What to do about one backup's stored objects and the finalizer that guards them. */
export type StoredBackupStep =
  | { action: "none" }
  /** Add the finalizer: deleting this object must delete its stored backup first. */
  | { action: "hold" }
  /** Remove the finalizer, the object may go. */
  | { action: "release"; event?: BackupEvent }
  /** Create the delete Job. */
  | { action: "start-job" }
  /** The delete Job is running (or a failed one is being removed): report and wait. */
  | { action: "wait"; condition: ConditionInput }
  /** Remove the failed delete Job, so the next pass starts a fresh one. */
  | { action: "retry"; condition: ConditionInput }
  /** The delete Job failed: keep the finalizer, report, look again at `retryAt`. */
  | { action: "failed"; condition: ConditionInput; event: BackupEvent; retryAt: Date };

/** What the decision looks at: the backup, its tenant (absent: gone), its delete Job, the time. */
export interface StoredBackupFacts {
  backup: TrackerBackup;
  tracker: FinanceTracker | undefined;
  job: V1Job | undefined;
  /** The delete Job's pod's result line, once the Job has finished. */
  jobMessage?: string | undefined;
  now: Date;
}

type Check = (facts: StoredBackupFacts) => StoredBackupStep | undefined;

const holding = (b: TrackerBackup) =>
  b.metadata.finalizers?.includes(storedBackupFinalizer) ?? false;

/** Why the tenant cannot delete this backup's objects, or undefined when it can. */
function tenantUnable({ backup, tracker }: StoredBackupFacts): string | undefined {
  const name = backup.spec.trackerRef.name;
  if (!tracker) return `the FinanceTracker ${name} is gone`;
  if (tracker.metadata.deletionTimestamp) return `the FinanceTracker ${name} is being deleted`;
  if (!tracker.spec.backup) return `the FinanceTracker ${name} has no spec.backup`;
  return undefined;
}

function jobCondition(job: V1Job, type: string) {
  return job.status?.conditions?.find((c) => c.type === type && c.status === "True");
}

function deleting(message: string): ConditionInput {
  return {
    type: conditionTypes.storedBackupDeleted,
    status: "False",
    reason: reasons.deletingStoredBackup,
    message,
  };
}

/** While the object lives: hold the finalizer exactly when its deletion will have work to do. */
function livingStep(f: StoredBackupFacts): StoredBackupStep {
  const wanted =
    f.backup.spec.deleteStoredBackup === true &&
    Boolean(f.backup.status?.key) &&
    tenantUnable(f) === undefined;
  if (wanted === holding(f.backup)) return { action: "none" };
  return wanted ? { action: "hold" } : { action: "release" };
}

/** Once deleted: the first check that has something to say decides. */
const whileDeleting: Check[] = [
  ({ backup }) => (holding(backup) ? undefined : { action: "none" }),
  ({ backup }) =>
    backup.spec.deleteStoredBackup === true
      ? undefined
      : {
          action: "release",
          ...(backup.status?.key
            ? {
                event: {
                  type: "Normal",
                  reason: reasons.storedBackupKept,
                  message: `kept ${backup.status.key}: spec.deleteStoredBackup is false`,
                },
              }
            : {}),
        },
  ({ backup }) => (backup.status?.key ? undefined : { action: "release" }),
  (f) => {
    const why = tenantUnable(f);
    return why
      ? {
          action: "release",
          event: {
            type: "Warning",
            reason: reasons.storedBackupKept,
            message: `kept ${f.backup.status?.key ?? ""}: ${why}, so there is no bucket or credentials to delete it with`,
          },
        }
      : undefined;
  },
  ({ job }) => (job ? undefined : { action: "start-job" }),
  ({ job, backup }) =>
    job?.metadata?.deletionTimestamp
      ? {
          action: "wait",
          condition: deleting(
            `removing the failed Job ${deleteJobName(backup.metadata.name)} to try again`,
          ),
        }
      : undefined,
  ({ job, jobMessage, backup }) => {
    if (!job || !jobCondition(job, "Complete")) return undefined;
    const key = backup.status?.key ?? "";
    const found = parseProgramResult(jobMessage).found;
    return {
      action: "release",
      event: {
        type: "Normal",
        reason: reasons.storedBackupDeleted,
        message: found === false ? `${key} was already gone` : `deleted ${key}`,
      },
    };
  },
  ({ job, jobMessage, backup, now }) => {
    const failed = job ? jobCondition(job, "Failed") : undefined;
    if (!job || !failed) return undefined;
    const jobName = deleteJobName(backup.metadata.name);
    const why =
      parseProgramResult(jobMessage).message ?? failed.message ?? failed.reason ?? "see its logs";
    const failedAt = new Date(
      failed.lastTransitionTime ?? job.metadata?.creationTimestamp ?? now.toISOString(),
    );
    const retryAt = new Date(failedAt.getTime() + deleteRetryMs);
    const message = `deleting ${backup.status?.key ?? ""} failed in Job ${jobName}: ${why}`;
    const condition: ConditionInput = {
      type: conditionTypes.storedBackupDeleted,
      status: "False",
      reason: reasons.storedBackupDeleteFailed,
      message: `${message}; retrying at ${retryAt.toISOString()}, or set spec.deleteStoredBackup to false to keep it and let this object go`,
    };
    if (now >= retryAt) return { action: "retry", condition };
    return {
      action: "failed",
      condition,
      retryAt,
      event: { type: "Warning", reason: reasons.storedBackupDeleteFailed, message },
    };
  },
  ({ backup }) => ({
    action: "wait",
    condition: deleting(
      `deleting ${backup.status?.key ?? ""} in Job ${deleteJobName(backup.metadata.name)}`,
    ),
  }),
];

/**
 * Decides the stored-backup finalizer of one FinanceTrackerBackup, CloudNativePG-style: held only
 * while deleting the object will have to delete something (deleteStoredBackup, a key in status,
 * a tenant with a destination); on deletion, a Job deletes the stored objects and the finalizer
 * goes when it succeeds. A failed Job keeps it and is retried; flipping deleteStoredBackup to
 * false, or the tenant going away, releases it and keeps the stored backup.
 */
export function decideStoredBackup(facts: StoredBackupFacts): StoredBackupStep {
  if (!facts.backup.metadata.deletionTimestamp) return livingStep(facts);
  for (const check of whileDeleting) {
    const step = check(facts);
    if (step) return step;
  }
  return { action: "none" };
}
