import { scheduledBackupName } from "../names.ts";
import { describe, expect, it } from "vitest";
import { aTracker } from "../../test/fixtures/tracker.ts";
import { latestRun, scheduleBackup } from "./schedule.ts";

const backup = {
  schedule: "0 3 * * *",
  destination: { s3: { bucket: "bkt", credentialsSecretRef: { name: "s3" } } },
};

describe("scheduleBackup", () => {
  const tracker = (extra: object = {}) =>
    aTracker({
      metadata: { creationTimestamp: "2025-01-01T00:00:00Z" },
      spec: { backup: { ...backup, ...extra } },
    });

  it("asks for the backup of the latest run, named after it, and says when the next run is", () => {
    const decision = scheduleBackup(tracker(), new Date("2025-01-02T03:00:30Z"));
    expect(decision?.create?.metadata.name).toBe("acme-202501020300");
    expect(decision?.create?.metadata.ownerReferences[0]?.kind).toBe("FinanceTracker");
    expect(decision?.create?.spec).toEqual({
      trackerRef: { name: "acme" },
      deleteStoredBackup: false,
    });
    expect(decision?.nextRunAt.toISOString()).toBe("2025-01-03T03:00:00.000Z");
  });

  it("asks for the same name until the next run, so retries create one backup", () => {
    const a = scheduleBackup(tracker(), new Date("2025-01-02T03:00:30Z"));
    const b = scheduleBackup(tracker(), new Date("2025-01-02T20:00:00Z"));
    expect(a?.create?.metadata.name).toBe(b?.create?.metadata.name);
  });

  it("creates nothing for runs before the tenant existed, when suspended, or without spec.backup", () => {
    expect(scheduleBackup(tracker(), new Date("2025-01-01T02:00:00Z"))?.create).toBeUndefined();
    expect(
      scheduleBackup(tracker({ suspend: true }), new Date("2025-01-02T03:00:30Z"))?.create,
    ).toBeUndefined();
    expect(scheduleBackup(aTracker(), new Date())).toBeUndefined();
  });
});

describe("latestRun and names", () => {
  it("finds the run at or before now", () => {
    expect(latestRun("*/15 * * * *", new Date("2025-01-01T10:29:59Z"))?.toISOString()).toBe(
      "2025-01-01T10:15:00.000Z",
    );
    expect(scheduledBackupName("acme", new Date("2025-01-01T10:15:00Z"))).toBe("acme-202501011015");
  });
});
