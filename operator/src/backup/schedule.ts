import type { FinanceTracker } from "../api/v1alpha1.ts";
import { apiVersion } from "../api/v1alpha1.ts";
import { backupKind } from "../api/backup.ts";
import { childMetadata, scheduledBackupName } from "../names.ts";
import { longestInterval, nextRun, parseCron } from "./cron.ts";
import type { TrackerBackup } from "./status.ts";

/** Marks the FinanceTrackerBackups the schedule created (the ones history limits collect). */
export const scheduledLabel = "fintrack.dev/scheduled";

/** The most recent run at or before `now`, or undefined when none fell in the last two intervals. */
export function latestRun(schedule: string, now: Date): Date | undefined {
  const cron = parseCron(schedule);
  let t = new Date(now.getTime() - 2 * longestInterval(cron, now));
  let latest: Date | undefined;
  for (;;) {
    const next = nextRun(cron, t);
    if (next > now) return latest;
    latest = next;
    t = next;
  }
}

/** What the schedule asks for now: a backup object to create (if any) and when to look again. */
export interface ScheduleDecision {
  create?: Omit<TrackerBackup, "metadata"> & { metadata: ReturnType<typeof childMetadata> };
  nextRunAt: Date;
}

/**
 * Decides the scheduled backup. Names are derived from the run's time, so applying the same
 * decision twice (a retry, a restarted or second operator) creates one backup, not two. Runs
 * before the tenant existed and suspended schedules create nothing.
 */
export function scheduleBackup(tracker: FinanceTracker, now: Date): ScheduleDecision | undefined {
  const spec = tracker.spec.backup;
  if (!spec) return undefined;
  const nextRunAt = nextRun(parseCron(spec.schedule), now);
  const run = latestRun(spec.schedule, now);
  const created = tracker.metadata.creationTimestamp;
  if (spec.suspend || !run || (created && run < new Date(created))) return { nextRunAt };
  const name = scheduledBackupName(tracker.metadata.name, run);
  const metadata = childMetadata(tracker, "backup", name, {
    labels: { [scheduledLabel]: "true" },
  });
  return {
    nextRunAt,
    create: {
      apiVersion,
      kind: backupKind,
      metadata,
      spec: { trackerRef: { name: tracker.metadata.name }, deleteStoredBackup: false },
    },
  };
}
