import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import type { TrackerBackup } from "../../../src/backup/status.ts";
import { restoreBlocker, restoredTracker } from "./restore.ts";

const s3 = {
  bucket: "acme-backups",
  prefix: "tenants/acme",
  credentialsSecretRef: { name: "acme-s3" },
};
const source = aTracker({
  spec: {
    app: { replicas: 3, baseCurrency: "CHF" },
    ingress: { host: "money.example.com" },
    postgres: { version: 17, storage: { size: "20Gi" } },
    backup: { schedule: "0 3 * * *", destination: { s3 } },
  },
});
const backup: TrackerBackup = {
  apiVersion: "fintrack.dev/v1alpha1",
  kind: "FinanceTrackerBackup",
  metadata: { name: "acme-202612060300", namespace: "tenant-acme", uid: "u" },
  spec: { trackerRef: { name: "acme" } },
  status: { phase: "Completed" },
};

describe("restoredTracker", () => {
  const restored = restoredTracker({ tracker: source, backup }, "acme-restored");

  it("is a new FinanceTracker restoring the backup from the source's bucket and prefix", () => {
    expect(restored.kind).toBe("FinanceTracker");
    expect(restored.metadata).toEqual({ name: "acme-restored" });
    expect(restored.spec.restore).toEqual({
      from: { s3: source.spec.backup?.destination.s3, backup: "acme-202612060300" },
    });
    expect(restored.spec.restore?.from.s3.prefix).toBe("tenants/acme");
  });

  it("keeps the source's app, PostgreSQL version and size", () => {
    expect(restored.spec.app).toMatchObject({ replicas: 3, baseCurrency: "CHF" });
    expect(restored.spec.postgres).toMatchObject({ version: 17, storage: { size: "20Gi" } });
  });

  it("leaves out the source's Ingress host and its backup schedule", () => {
    expect(restored.spec).not.toHaveProperty("ingress");
    expect(restored.spec).not.toHaveProperty("backup");
  });
});

describe("restoreBlocker", () => {
  it("lets a Completed backup of a tenant with a destination through", () => {
    expect(restoreBlocker({ tracker: source, backup })).toBeUndefined();
  });

  it("refuses a backup that has not completed", () => {
    expect(
      restoreBlocker({ tracker: source, backup: { ...backup, status: { phase: "Failed" } } }),
    ).toBe('backup "acme-202612060300" is Failed: only a Completed backup can be restored');
  });

  it("refuses when the source tenant no longer says where its backups went", () => {
    expect(restoreBlocker({ tracker: aTracker(), backup })).toMatch(
      /tenant "acme" has no spec.backup/,
    );
  });
});
