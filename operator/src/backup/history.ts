import { scheduledLabel } from "./schedule.ts";
import type { TrackerBackup } from "./status.ts";

/** Limits on the scheduled backup objects kept, as spec.backup has them. */
export interface HistoryLimits {
  successfulBackupsHistoryLimit: number;
  failedBackupsHistoryLimit: number;
}

const succeeded = new Set(["Completed"]);
const failed = new Set(["Failed", "VerificationFailed"]);

/**
 * The scheduled FinanceTrackerBackups past their history limit, oldest first, like a CronJob's
 * Jobs. Only finished ones count; on-demand backups (created by people) are never collected, nor
 * are those asked to delete their stored backup: collecting a record must never delete data.
 */
export function backupsPastHistoryLimit(
  backups: readonly TrackerBackup[],
  limits: HistoryLimits,
): TrackerBackup[] {
  const scheduled = backups
    .filter(
      (b) =>
        b.metadata.labels?.[scheduledLabel] === "true" &&
        !b.metadata.deletionTimestamp &&
        b.spec.deleteStoredBackup !== true,
    )
    // Scheduled names end in the run's time (yyyymmddhhmm), so they sort by age.
    .sort((a, b) => (a.metadata.name < b.metadata.name ? 1 : -1));
  const beyond = (phases: Set<string>, keep: number) =>
    scheduled.filter((b) => phases.has(b.status?.phase ?? "")).slice(keep);
  return [
    ...beyond(succeeded, limits.successfulBackupsHistoryLimit),
    ...beyond(failed, limits.failedBackupsHistoryLimit),
  ].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}
