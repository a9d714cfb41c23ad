import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { BackupSpec } from "../api/backup.ts";
import {
  backupHealth,
  backupStatusFromJob,
  parseProgramResult,
  terminationMessage,
  type TrackerBackup,
} from "./status.ts";

const job = (conditions: { type: string; status: string; message?: string }[]): V1Job => ({
  status: {
    startTime: new Date("2025-01-01T03:00:00Z"),
    ...(conditions.some((c) => c.type === "Complete")
      ? { completionTime: new Date("2025-01-01T03:05:00Z") }
      : {}),
    conditions: conditions.map((c) => ({
      ...c,
      lastTransitionTime: new Date("2025-01-01T03:06:00Z"),
    })),
  },
});

const result = JSON.stringify({
  phase: "Completed",
  key: "tenants/acme/b1.dump",
  size: 1234,
  sha256: "a".repeat(64),
  postgresVersion: "18.1",
  schemaVersion: "0004",
  verified: true,
  problems: [],
});

describe("backupStatusFromJob", () => {
  it("is Pending without a Job and Running while it runs", () => {
    expect(backupStatusFromJob(undefined, "b1-job", undefined).phase).toBe("Pending");
    expect(backupStatusFromJob(job([]), "b1-job", undefined)).toMatchObject({
      phase: "Running",
      startTime: "2025-01-01T03:00:00.000Z",
    });
  });

  it("copies what the program stored and its verification into a Completed backup", () => {
    expect(
      backupStatusFromJob(job([{ type: "Complete", status: "True" }]), "b1-job", result),
    ).toEqual({
      jobName: "b1-job",
      phase: "Completed",
      message: "backup stored",
      startTime: "2025-01-01T03:00:00.000Z",
      completionTime: "2025-01-01T03:05:00.000Z",
      key: "tenants/acme/b1.dump",
      size: 1234,
      sha256: "a".repeat(64),
      postgresVersion: "18.1",
      schemaVersion: "0004",
      verification: { verified: true },
    });
  });

  it("tells a failed verification from a failed backup", () => {
    const failed = job([{ type: "Failed", status: "True", message: "BackoffLimitExceeded" }]);
    const verification = JSON.stringify({
      phase: "VerificationFailed",
      verified: false,
      problems: ["table public.a has 2 rows, the manifest says 3"],
    });
    expect(backupStatusFromJob(failed, "j", verification)).toMatchObject({
      phase: "VerificationFailed",
      verification: { verified: false, message: "table public.a has 2 rows, the manifest says 3" },
    });
    expect(
      backupStatusFromJob(
        failed,
        "j",
        JSON.stringify({ phase: "Failed", message: "pg_dump exited 1" }),
      ),
    ).toMatchObject({ phase: "Failed", message: "pg_dump exited 1" });
    expect(backupStatusFromJob(failed, "j", "a log tail, not JSON")).toMatchObject({
      phase: "Failed",
      message: "BackoffLimitExceeded",
    });
  });
});

describe("the program's result", () => {
  it("is read from the last line of the backup container's termination message", () => {
    const pod: V1Pod = {
      status: {
        containerStatuses: [
          {
            name: "backup",
            image: "x",
            imageID: "",
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, message: `noise\n${result}` } },
          },
        ],
      },
    };
    expect(parseProgramResult(terminationMessage([pod]))).toMatchObject({ size: 1234 });
    expect(parseProgramResult(undefined)).toEqual({});
  });
});

describe("backupHealth", () => {
  const spec: BackupSpec = {
    schedule: "0 3 * * *",
    retention: { keepLast: 7 },
    verify: true,
    suspend: false,
    successfulBackupsHistoryLimit: 14,
    failedBackupsHistoryLimit: 3,
    destination: {
      s3: {
        bucket: "b",
        prefix: "",
        region: "us-east-1",
        forcePathStyle: false,
        credentialsSecretRef: { name: "s", accessKeyIdKey: "a", secretAccessKeyKey: "k" },
      },
    },
  };
  const backup = (
    name: string,
    phase: string,
    completionTime: string,
    verified = true,
  ): TrackerBackup => ({
    apiVersion: "fintrack.dev/v1alpha1",
    kind: "FinanceTrackerBackup",
    metadata: { name, namespace: "ns", uid: name },
    spec: { trackerRef: { name: "acme" } },
    status: {
      phase: phase as "Completed",
      completionTime,
      message: `${phase} message`,
      verification: { verified },
    },
  });
  const created = "2025-01-01T00:00:00Z";
  const at = (iso: string) => new Date(iso);

  it("is Unknown before the first backup, then True with lastBackup once one completed", () => {
    expect(backupHealth(spec, [], created, at("2025-01-01T12:00:00Z")).condition).toMatchObject({
      status: "Unknown",
      reason: "NoBackupYet",
    });
    const health = backupHealth(
      spec,
      [backup("b1", "Completed", "2025-01-02T03:05:00Z")],
      created,
      at("2025-01-02T04:00:00Z"),
    );
    expect(health.condition).toMatchObject({ status: "True", reason: "BackupSucceeded" });
    expect(health.lastBackup).toEqual({ name: "b1", time: "2025-01-02T03:05:00Z", verified: true });
  });

  it("is False when the newest backup failed or failed verification, keeping the last good one", () => {
    const good = backup("b1", "Completed", "2025-01-02T03:05:00Z");
    const failed = backupHealth(
      spec,
      [good, backup("b2", "Failed", "2025-01-03T03:05:00Z")],
      created,
      at("2025-01-03T04:00:00Z"),
    );
    expect(failed.condition).toMatchObject({ status: "False", reason: "BackupFailed" });
    expect(failed.lastBackup?.name).toBe("b1");
    expect(
      backupHealth(
        spec,
        [good, backup("b2", "VerificationFailed", "2025-01-03T03:05:00Z", false)],
        created,
        at("2025-01-03T04:00:00Z"),
      ).condition.reason,
    ).toBe("VerificationFailed");
  });

  it("is False when the last good backup is older than twice the schedule's interval", () => {
    const health = backupHealth(
      spec,
      [backup("b1", "Completed", "2025-01-02T03:05:00Z")],
      created,
      at("2025-01-04T03:06:00Z"),
    );
    expect(health.condition).toMatchObject({ status: "False", reason: "BackupStale" });
    expect(backupHealth(spec, [], created, at("2025-01-03T00:00:01Z")).condition.reason).toBe(
      "BackupStale",
    );
  });
});
