import type { V1Job } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { aTracker } from "../../test/fixtures/tracker.ts";
import { findCondition, reasons } from "../conditions.ts";
import { computeStatus } from "../status.ts";
import { restoreState } from "./reconcile-backups.ts";

const restoring = aTracker({
  metadata: { name: "acme-restored" },
  spec: {
    restore: {
      from: { s3: { bucket: "bkt", credentialsSecretRef: { name: "s3" } }, backup: "b-7" },
    },
  },
});

const jobWith = (type: "Complete" | "Failed", message?: string): V1Job => ({
  status: { conditions: [{ type, status: "True", ...(message ? { message } : {}) }] },
});

/** The status reconcile writes for a tenant whose only news is its restore (see reconcile.ts). */
function statusDuring(job: V1Job | undefined) {
  const restore = restoreState(restoring, job);
  return computeStatus(
    restoring,
    {
      monitoring: "disabled",
      paused: false,
      ...(restore.state === "failed"
        ? { problem: { reason: restore.reason, message: restore.message } }
        : {}),
      ...(restore.state === "running" ? { restoring: restore.message } : {}),
    },
    "2026-01-01T00:00:00Z",
  );
}

describe("restoreState", () => {
  it("is none without spec.restore, running until the Job completes, then done", () => {
    expect(restoreState(aTracker(), undefined)).toEqual({ state: "none" });
    expect(restoreState(restoring, undefined)).toMatchObject({
      state: "running",
      reason: reasons.restoring,
    });
    expect(restoreState(restoring, { status: { active: 1 } }).state).toBe("running");
    expect(restoreState(restoring, jobWith("Complete"))).toEqual({ state: "done" });
  });

  it("says the restore failed, naming the Job and the Job controller's reason", () => {
    const failed = restoreState(restoring, jobWith("Failed", "Job has reached the backoff limit"));
    expect(failed).toMatchObject({ state: "failed", reason: reasons.restoreFailed });
    if (failed.state !== "failed") throw new Error("not failed");
    expect(failed.message).toContain("acme-restored-restore");
    expect(failed.message).toContain("backoff limit");
  });
});

describe("a restore on the FinanceTracker's status", () => {
  it("shows progress on Ready, naming the backup, while the app waits", () => {
    const status = statusDuring(undefined);
    const ready = findCondition(status.conditions, "Ready");
    expect(ready?.status).toBe("False");
    expect(ready?.message).toContain("restoring the database from backup b-7");
    expect(findCondition(status.conditions, "Degraded")?.status).toBe("False");
    expect(status.phase).not.toBe("Degraded");
  });

  it("turns Degraded with RestoreFailed when the Job fails", () => {
    const status = statusDuring(jobWith("Failed", "Job has reached the backoff limit"));
    expect(status.phase).toBe("Degraded");
    expect(findCondition(status.conditions, "Degraded")).toMatchObject({
      status: "True",
      reason: reasons.restoreFailed,
    });
  });
});
