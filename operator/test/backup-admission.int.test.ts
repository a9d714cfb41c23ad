import { join } from "node:path";
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { backupPlural } from "../src/api/backup.ts";
import { apiVersion, group, kind, plural, version } from "../src/api/v1alpha1.ts";
import { statusCode, statusMessage } from "./harness/api-errors.ts";
import { adminKubeConfig, kubectl, repoRoot } from "./harness/cluster.ts";
import { eventually } from "./harness/eventually.ts";
import { installCrd, testFieldManager } from "./harness/manifests.ts";
import { useNamespace } from "./harness/namespace.ts";

type Json = Record<string, unknown>;

const adminEmail = "owner@acme.example";
const s3 = { bucket: "fintrack-backups", credentialsSecretRef: { name: "s3-credentials" } };
const backup = (extra: Json = {}): Json => ({
  schedule: "0 3 * * *",
  destination: { s3 },
  ...extra,
});

async function refusal(request: Promise<unknown>): Promise<{ code?: number; message: string }> {
  try {
    await request;
  } catch (error) {
    return { code: statusCode(error), message: statusMessage(error) };
  }
  throw new Error("the API server accepted what it should have refused");
}

describe("backup API admission", () => {
  const ns = useNamespace("bkadm");
  const custom = adminKubeConfig(inject("cluster").kubeconfig).makeApiClient(CustomObjectsApi);
  const trackers = () => ({ group, version, plural, namespace: ns.name });
  const backups = () => ({ group, version, plural: backupPlural, namespace: ns.name });

  const create = (name: string, spec: Json) =>
    custom.createNamespacedCustomObject({
      ...trackers(),
      body: { apiVersion, kind, metadata: { name }, spec },
    }) as Promise<{ spec: Json }>;

  beforeAll(async () => {
    installCrd();
    kubectl([
      "apply",
      "--server-side",
      "--force-conflicts",
      `--field-manager=${testFieldManager}`,
      "-f",
      join(repoRoot, "config/crd/bases/fintrack.dev_financetrackerbackups.yaml"),
    ]);
    kubectl([
      "wait",
      "--for=condition=Established",
      "--timeout=60s",
      "crd/financetrackerbackups.fintrack.dev",
    ]);
    await eventually("FinanceTrackerBackups served", () =>
      custom.listNamespacedCustomObject(backups()),
    );
  });

  it("defaults retention, verify, suspend, the history limits and the S3 settings", async () => {
    const stored = await create("defaults", { app: { adminEmail }, backup: backup() });
    expect(stored.spec.backup).toEqual({
      schedule: "0 3 * * *",
      retention: { keepLast: 7 },
      verify: true,
      suspend: false,
      successfulBackupsHistoryLimit: 14,
      failedBackupsHistoryLimit: 3,
      destination: {
        s3: {
          ...s3,
          prefix: "",
          region: "us-east-1",
          forcePathStyle: false,
          credentialsSecretRef: {
            name: "s3-credentials",
            accessKeyIdKey: "AWS_ACCESS_KEY_ID",
            secretAccessKeyKey: "AWS_SECRET_ACCESS_KEY",
          },
        },
      },
    });
  });

  it.each([
    ["a 6-field schedule", "0 0 3 * * *"],
    ["a word", "daily"],
    ["an empty schedule", ""],
    ["minute 61 and hour 25", "61 25 * * *"],
    ["day of week 8", "0 3 * * 8"],
    ["month 13", "0 3 1 13 *"],
  ])("refuses %s, naming spec.backup.schedule in words", async (_what, schedule) => {
    const { code, message } = await refusal(
      create(`bad-cron-${Math.random().toString(36).slice(2, 8)}`, {
        app: { adminEmail },
        backup: backup({ schedule }),
      }),
    );
    expect(code).toBe(422);
    expect(message).toContain("spec.backup.schedule: ");
    expect(message).toContain("schedule must be 5 cron fields in UTC: minute 0-59, hour 0-23");
    expect(message, "no raw pattern in the message").not.toContain("should match");
  });

  it("accepts the cron expressions people write: steps, ranges, lists and names", async () => {
    for (const [i, schedule] of [
      "*/15 * * * *",
      "0 3 * * MON-fri",
      "30 2 1,15 jan,Jul 0",
    ].entries())
      await create(`cron-${i}`, { app: { adminEmail }, backup: backup({ schedule }) });
  });

  it.each([
    ["without a scheme", "minio.storage.svc:9000"],
    ["of another scheme", "ftp://minio.storage.svc"],
    ["with a query", "https://s3.example.com/?x=1"],
  ])("refuses an S3 endpoint %s, naming it", async (_what, endpoint) => {
    const { code, message } = await refusal(
      create(`bad-endpoint-${Math.random().toString(36).slice(2, 8)}`, {
        app: { adminEmail },
        backup: backup({ destination: { s3: { ...s3, endpoint } } }),
      }),
    );
    expect(code).toBe(422);
    expect(message).toContain("spec.backup.destination.s3.endpoint: ");
    expect(message).toContain("endpoint must be an http:// or https:// URL");
  });

  it.each([
    ["backup", (s3: Json): Json => ({ backup: backup({ destination: { s3 } }) })],
    ["restore", (s3: Json): Json => ({ restore: { from: { s3 } } })],
  ])("refuses a %s credentials Secret name that is no object name, in words", async (at, spec) => {
    const withName = { ...s3, credentialsSecretRef: { name: "S3_Credentials" } };
    const { code, message } = await refusal(
      create(`bad-secret-${at}`, { app: { adminEmail }, ...spec(withName) }),
    );
    const field = at === "backup" ? "backup.destination" : "restore.from";
    expect(code).toBe(422);
    expect(message).toContain(`spec.${field}.s3.credentialsSecretRef.name: `);
    expect(message).toContain("credentialsSecretRef.name must be a lower-case name");
    expect(message, "no raw pattern in the message").not.toMatch(/should match|[\^$\\]/);
  });

  it("refuses a destination without credentials and keepLast 0", async () => {
    const noCreds = await refusal(
      create("no-creds", {
        app: { adminEmail },
        backup: backup({ destination: { s3: { bucket: "b-1" } } }),
      }),
    );
    expect(noCreds.message).toContain("spec.backup.destination.s3.credentialsSecretRef: Required");
    const keepNone = await refusal(
      create("keep-none", { app: { adminEmail }, backup: backup({ retention: { keepLast: 0 } }) }),
    );
    expect(keepNone.message).toContain("spec.backup.retention.keepLast: ");
  });

  it("takes restore only at creation and never lets it change", async () => {
    await create("plain", { app: { adminEmail } });
    const added = await refusal(
      custom.patchNamespacedCustomObject(
        { ...trackers(), name: "plain", body: { spec: { restore: { from: { s3 } } } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );
    expect(added.code).toBe(422);
    expect(added.message).toContain("restore can be set only when the FinanceTracker is created");

    const restored = await create("restored", { app: { adminEmail }, restore: { from: { s3 } } });
    expect(restored.spec.restore).toMatchObject({ from: { backup: "latest" } });
    const changed = await refusal(
      custom.patchNamespacedCustomObject(
        {
          ...trackers(),
          name: "restored",
          body: { spec: { restore: { from: { backup: "b-2" } } } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );
    expect(changed.message).toContain("restore cannot be changed after creation");
  });

  it("serves FinanceTrackerBackups by short name with their printer columns", async () => {
    await custom.createNamespacedCustomObject({
      ...backups(),
      body: {
        apiVersion,
        kind: "FinanceTrackerBackup",
        metadata: { name: "on-demand" },
        spec: { trackerRef: { name: "defaults" } },
      },
    });
    const table = kubectl(["get", "ftb", "-n", ns.name, "-o", "wide"]);
    const header = table.split("\n")[0] ?? "";
    for (const column of ["TRACKER", "PHASE", "VERIFIED", "SIZE", "COMPLETED", "CHECKSUM", "KEY"]) {
      expect(header).toContain(column);
    }
    expect(table).toContain("on-demand");
    const stored = (await custom.getNamespacedCustomObject({
      ...backups(),
      name: "on-demand",
    })) as {
      spec: Json;
    };
    expect(stored.spec).toEqual({ trackerRef: { name: "defaults" }, deleteStoredBackup: false });
    const moved = await refusal(
      custom.patchNamespacedCustomObject(
        { ...backups(), name: "on-demand", body: { spec: { trackerRef: { name: "other" } } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );
    expect(moved.message).toContain("trackerRef cannot be changed");
  });

  it("shows PostgreSQL's running major and Last Backup among the FinanceTracker's columns", () => {
    const header = kubectl(["get", "ft", "-n", ns.name]).split("\n")[0];
    expect(header).toContain("POSTGRESQL");
    expect(header).toContain("LAST BACKUP");
  });
});
