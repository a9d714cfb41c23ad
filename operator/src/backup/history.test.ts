import { scheduledBackupName } from "../names.ts";
import { describe, expect, it } from "vitest";
import { backupsPastHistoryLimit } from "./history.ts";
import { scheduledLabel } from "./schedule.ts";
import type { TrackerBackup } from "./status.ts";

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n, 3));
const backup = (
  name: string,
  phase: string,
  extra: { scheduled?: boolean; deleteStoredBackup?: boolean; deleting?: boolean } = {},
): TrackerBackup => ({
  apiVersion: "fintrack.dev/v1alpha1",
  kind: "FinanceTrackerBackup",
  metadata: {
    name,
    namespace: "tenant",
    uid: name,
    labels: extra.scheduled === false ? {} : { [scheduledLabel]: "true" },
    ...(extra.deleting ? { deletionTimestamp: "2026-02-01T00:00:00Z" } : {}),
  },
  spec: { trackerRef: { name: "acme" }, deleteStoredBackup: extra.deleteStoredBackup ?? false },
  status: { phase: phase as "Completed" },
});
const nightly = (n: number, phase = "Completed") =>
  backup(scheduledBackupName("acme", day(n)), phase);
const names = (bs: TrackerBackup[]) => bs.map((b) => b.metadata.name);

describe("backupsPastHistoryLimit", () => {
  it("keeps the newest completed and failed scheduled backups, collecting the rest oldest first", () => {
    const backups = [
      ...Array.from({ length: 20 }, (_, n) => nightly(n)),
      nightly(20, "Failed"),
      nightly(21, "VerificationFailed"),
      nightly(22, "Failed"),
    ];
    const old = backupsPastHistoryLimit(backups, {
      successfulBackupsHistoryLimit: 14,
      failedBackupsHistoryLimit: 2,
    });
    expect(names(old)).toEqual([...names(backups.slice(0, 6)), names(backups)[20]]);
  });

  it("bounds a year of nightly backups with the defaults", () => {
    const year = Array.from({ length: 365 }, (_, n) => nightly(n));
    const old = backupsPastHistoryLimit(year, {
      successfulBackupsHistoryLimit: 14,
      failedBackupsHistoryLimit: 3,
    });
    expect(year.length - old.length).toBe(14);
    expect(names(old)).not.toContain(names(year)[364]);
  });

  it("never collects running, on-demand, deleting or delete-stored backups", () => {
    const backups = [
      nightly(0),
      backup("acme-manual", "Completed", { scheduled: false }),
      backup(scheduledBackupName("acme", day(1)), "Completed", { deleteStoredBackup: true }),
      backup(scheduledBackupName("acme", day(2)), "Completed", { deleting: true }),
      nightly(3, "Running"),
      nightly(4),
    ];
    const old = backupsPastHistoryLimit(backups, {
      successfulBackupsHistoryLimit: 1,
      failedBackupsHistoryLimit: 0,
    });
    expect(names(old)).toEqual([names(backups)[0]]);
  });
});
