import type { V1Job } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { aTracker } from "../../test/fixtures/tracker.ts";
import { storedBackupFinalizer } from "../names.ts";
import { decideStoredBackup, deleteRetryMs, type StoredBackupFacts } from "./finalizer.ts";
import type { TrackerBackup } from "./status.ts";

const now = new Date("2025-01-02T10:00:00Z");
const key = "tenants/acme/acme-202501020300.dump";
const s3 = { bucket: "bkt", credentialsSecretRef: { name: "acme-s3" } };
const tracker = aTracker({
  spec: { backup: { schedule: "0 3 * * *", destination: { s3 } } },
});

function aBackup(
  overrides: {
    deleteStoredBackup?: boolean;
    key?: string | null;
    held?: boolean;
    deleted?: boolean;
  } = {},
): TrackerBackup {
  const { deleteStoredBackup = true, held = true, deleted = false } = overrides;
  const stored = overrides.key === null ? undefined : (overrides.key ?? key);
  return {
    apiVersion: "fintrack.dev/v1alpha1",
    kind: "FinanceTrackerBackup",
    metadata: {
      name: "acme-202501020300",
      namespace: "tenant-acme",
      uid: "uid-1",
      ...(held ? { finalizers: [storedBackupFinalizer] } : {}),
      ...(deleted ? { deletionTimestamp: "2025-01-02T09:59:00Z" } : {}),
    },
    spec: { trackerRef: { name: "acme" }, deleteStoredBackup },
    status: { phase: "Completed", ...(stored ? { key: stored } : {}) },
  };
}

function aJob(
  condition?: { type: "Complete" | "Failed"; at?: string; message?: string },
  deleting = false,
): V1Job {
  return {
    metadata: {
      name: "acme-202501020300-delete",
      ...(deleting ? { deletionTimestamp: new Date(now) } : {}),
    },
    status: condition
      ? {
          conditions: [
            {
              type: condition.type,
              status: "True",
              lastTransitionTime: new Date(condition.at ?? "2025-01-02T09:58:00Z"),
              ...(condition.message ? { message: condition.message } : {}),
            },
          ],
        }
      : {},
  };
}

const decide = (facts: Partial<StoredBackupFacts> & { backup: TrackerBackup }) =>
  decideStoredBackup({ tracker, job: undefined, now, ...facts });

describe("decideStoredBackup while the backup lives", () => {
  it.each([
    ["holds it for a stored backup to delete", aBackup({ held: false }), tracker, "hold"],
    ["keeps holding it", aBackup(), tracker, "none"],
    [
      "never holds it when deleteStoredBackup is false (the default)",
      aBackup({ deleteStoredBackup: false, held: false }),
      tracker,
      "none",
    ],
    [
      "releases it when deleteStoredBackup flips to false",
      aBackup({ deleteStoredBackup: false }),
      tracker,
      "release",
    ],
    ["waits for a key before holding it", aBackup({ key: null, held: false }), tracker, "none"],
    ["releases it when the tenant is gone", aBackup(), undefined, "release"],
    ["releases it when the tenant has no destination", aBackup(), aTracker(), "release"],
  ])("%s", (_, backup, owner, action) => {
    expect(decide({ backup, tracker: owner }).action).toBe(action);
  });
});

describe("decideStoredBackup once the backup is deleted", () => {
  it("lets a backup without the finalizer go without doing anything", () => {
    expect(decide({ backup: aBackup({ held: false, deleted: true }) })).toEqual({
      action: "none",
    });
  });

  it("starts the delete Job, then waits for it while saying so", () => {
    const backup = aBackup({ deleted: true });
    expect(decide({ backup })).toEqual({ action: "start-job" });
    const waiting = decide({ backup, job: aJob() });
    expect(waiting).toMatchObject({
      action: "wait",
      condition: { type: "StoredBackupDeleted", status: "False", reason: "DeletingStoredBackup" },
    });
    expect(waiting.action === "wait" && waiting.condition.message).toContain(key);
  });

  it("releases the finalizer once the Job succeeded, with an Event naming the key", () => {
    const step = decide({
      backup: aBackup({ deleted: true }),
      job: aJob({ type: "Complete" }),
      jobMessage: JSON.stringify({ phase: "Deleted", key, found: true }),
    });
    expect(step).toEqual({
      action: "release",
      event: { type: "Normal", reason: "StoredBackupDeleted", message: `deleted ${key}` },
    });
    const gone = decide({
      backup: aBackup({ deleted: true }),
      job: aJob({ type: "Complete" }),
      jobMessage: JSON.stringify({ phase: "Deleted", key, found: false }),
    });
    expect(gone.action === "release" && gone.event?.message).toBe(`${key} was already gone`);
  });

  it("keeps the finalizer when the Job failed, says why, and retries five minutes later", () => {
    const backup = aBackup({ deleted: true });
    const job = aJob({
      type: "Failed",
      at: "2025-01-02T09:58:00Z",
      message: "BackoffLimitExceeded",
    });
    const jobMessage = JSON.stringify({
      phase: "Failed",
      message: "getaddrinfo ENOTFOUND s3.invalid",
    });
    const step = decide({ backup, job, jobMessage });
    expect(step).toMatchObject({
      action: "failed",
      condition: { status: "False", reason: "StoredBackupDeleteFailed" },
      event: { type: "Warning", reason: "StoredBackupDeleteFailed" },
      retryAt: new Date(Date.parse("2025-01-02T09:58:00Z") + deleteRetryMs),
    });
    if (step.action !== "failed") throw new Error("expected a failure");
    expect(step.event.message).toContain("getaddrinfo ENOTFOUND s3.invalid");
    expect(step.condition.message).toMatch(/set spec\.deleteStoredBackup to false/);

    const later = new Date(Date.parse("2025-01-02T09:58:00Z") + deleteRetryMs);
    expect(decide({ backup, job, jobMessage, now: later }).action).toBe("retry");
    expect(decide({ backup, job: aJob({ type: "Failed" }, true), now: later }).action).toBe("wait");
  });

  it("falls back to the Job's own failure message when the program left none", () => {
    const step = decide({
      backup: aBackup({ deleted: true }),
      job: aJob({ type: "Failed", message: "Job was active longer than specified deadline" }),
    });
    expect(step.action === "failed" && step.event.message).toContain(
      "longer than specified deadline",
    );
  });

  it.each([
    [
      "deleteStoredBackup flipped to false",
      aBackup({ deleted: true, deleteStoredBackup: false }),
      tracker,
      "Normal",
    ],
    ["the tenant gone", aBackup({ deleted: true }), undefined, "Warning"],
    [
      "the tenant being deleted",
      aBackup({ deleted: true }),
      aTracker({ metadata: { deletionTimestamp: "2025-01-02T09:00:00Z" } }),
      "Warning",
    ],
  ])("releases it, keeping the stored backup, with %s", (_, backup, owner, type) => {
    const step = decide({ backup, tracker: owner, job: aJob({ type: "Failed" }) });
    expect(step).toMatchObject({ action: "release", event: { type, reason: "StoredBackupKept" } });
    expect(step.action === "release" && step.event?.message).toContain(key);
  });

  it("releases it without a word when nothing was ever stored", () => {
    expect(decide({ backup: aBackup({ deleted: true, key: null }) })).toEqual({
      action: "release",
    });
  });
});
