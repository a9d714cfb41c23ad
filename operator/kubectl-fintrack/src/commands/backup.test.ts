import { describe, expect, it } from "vitest";
import type { TrackerBackup } from "../../../src/backup/status.ts";
import {
  backupProgress,
  backupRequest,
  backupResult,
  isFinished,
  onDemandBackupName,
} from "./backup.ts";

function aBackup(status: TrackerBackup["status"]): TrackerBackup {
  return {
    apiVersion: "fintrack.dev/v1alpha1",
    kind: "FinanceTrackerBackup",
    metadata: { name: "acme-20261206120000", namespace: "tenant-acme", uid: "u" },
    spec: { trackerRef: { name: "acme" } },
    ...(status ? { status } : {}),
  };
}

describe("onDemandBackupName", () => {
  it("stamps the tenant's name with the time to the second, unlike a scheduled run's minute", () => {
    expect(onDemandBackupName("acme", new Date("2026-12-06T12:34:56.789Z"))).toBe(
      "acme-20261206123456",
    );
  });
});

describe("backupRequest", () => {
  it("is a FinanceTrackerBackup of the tenant, as samples/backup-on-demand.yaml writes one", () => {
    expect(backupRequest("acme", "acme-now")).toEqual({
      apiVersion: "fintrack.dev/v1alpha1",
      kind: "FinanceTrackerBackup",
      metadata: { name: "acme-now" },
      spec: { trackerRef: { name: "acme" } },
    });
  });
});

describe("isFinished", () => {
  it.each([
    [undefined, false],
    ["Pending", false],
    ["Running", false],
    ["Completed", true],
    ["Failed", true],
    ["VerificationFailed", true],
  ] as const)("%s: %s", (phase, finished) => {
    expect(isFinished(aBackup(phase ? { phase } : undefined))).toBe(finished);
  });
});

describe("backupProgress", () => {
  it("names the backup, its phase and the operator's message", () => {
    expect(backupProgress(aBackup(undefined))).toBe("acme-20261206120000: Pending");
    expect(backupProgress(aBackup({ phase: "Running", message: "dumping" }))).toBe(
      "acme-20261206120000: Running, dumping",
    );
  });
});

describe("backupResult", () => {
  it("prints where the backup is stored, its size and its verification", () => {
    const lines = backupResult(
      aBackup({
        phase: "Completed",
        startTime: "2026-12-06T12:00:01Z",
        completionTime: "2026-12-06T12:00:30Z",
        key: "tenants/acme/acme-20261206120000.dump",
        size: 2048,
        sha256: "ab12",
        verification: { verified: true, message: "14 tables, row counts equal" },
      }),
    );

    expect(lines).toContain("Phase:      Completed");
    expect(lines).toContain("Stored as:  tenants/acme/acme-20261206120000.dump");
    expect(lines).toContain("Size:       2.0 KiB");
    expect(lines).toContain("SHA-256:    ab12");
    expect(lines).toContain("Verified:   yes, 14 tables, row counts equal");
  });

  it("prints why a backup failed", () => {
    const lines = backupResult(aBackup({ phase: "Failed", message: "bucket not found" }));

    expect(lines).toContain("Phase:      Failed");
    expect(lines).toContain("Message:    bucket not found");
    expect(lines).toContain("Verified:   not verified");
  });
});
