import { backupJobName, deleteJobName } from "../../names.ts";
import { describe, expect, it } from "vitest";
import { expectRestrictedPodSpec } from "../../../test/fixtures/restricted.ts";
import { aContext, aTracker } from "../../../test/fixtures/tracker.ts";
import { buildBackupJob, buildDeleteStoredBackupJob, buildRestoreJob } from "./job.ts";
import { buildBackupNetworkPolicy } from "./network-policy.ts";

const s3 = {
  bucket: "bkt",
  prefix: "tenants/acme",
  endpoint: "http://minio.storage:9000",
  forcePathStyle: true,
  credentialsSecretRef: { name: "acme-s3" },
};
const withBackup = aTracker({
  spec: {
    backup: {
      schedule: "0 3 * * *",
      retention: { keepLast: 3, keepDaily: 7 },
      destination: { s3 },
    },
  },
});
const ref = { name: "acme-202501020300", uid: "uid-1" };

describe("buildBackupJob", () => {
  const job = buildBackupJob(withBackup, ref, aContext());
  const pod = job?.spec?.template.spec;

  it("runs the backup program once, owned by its FinanceTrackerBackup", () => {
    expect(job?.metadata?.name).toBe("acme-202501020300-job");
    expect(job?.metadata?.ownerReferences).toEqual([
      expect.objectContaining({
        kind: "FinanceTrackerBackup",
        name: ref.name,
        uid: "uid-1",
        controller: true,
      }),
    ]);
    expect(job?.spec?.backoffLimit).toBe(0);
    expect(pod?.containers[0]?.args).toEqual(["backup", "--name", ref.name, "--verify", "--prune"]);
    expect(pod?.containers[0]?.image).toBe("ghcr.io/fintrack/backup:0.1.0");
    expect(job?.spec?.template.metadata?.labels?.["app.kubernetes.io/component"]).toBe("backup");
  });

  it("passes the restricted Pod Security profile with a writable /tmp only", () => {
    if (!pod) throw new Error("no pod spec");
    expectRestrictedPodSpec(pod);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0]?.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
  });

  it("takes every credential from Secrets, never inline", () => {
    const env = pod?.containers[0]?.env ?? [];
    const byName = (n: string) => env.find((e) => e.name === n);
    expect(byName("DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual({
      name: "acme-credentials",
      key: "database-url",
    });
    expect(byName("AWS_SECRET_ACCESS_KEY")?.valueFrom?.secretKeyRef).toEqual({
      name: "acme-s3",
      key: "AWS_SECRET_ACCESS_KEY",
    });
    expect(byName("BACKUP_S3_ENDPOINT")?.value).toBe("http://minio.storage:9000");
    expect(byName("BACKUP_KEEP_LAST")?.value).toBe("3");
    expect(byName("BACKUP_KEEP_DAILY")?.value).toBe("7");
    expect(byName("BACKUP_KEEP_WEEKLY")).toBeUndefined();
    expect(env.filter((e) => e.value !== undefined && /PASSWORD|SECRET/.test(e.name))).toEqual([]);
  });

  it("is not built for a tenant without spec.backup, and keeps long names within 63 characters", () => {
    expect(buildBackupJob(aTracker(), ref, aContext())).toBeUndefined();
    expect(backupJobName("x".repeat(120)).length).toBeLessThanOrEqual(63);
  });
});

describe("buildDeleteStoredBackupJob", () => {
  const key = "tenants/acme/acme-202501020300.dump";
  const job = buildDeleteStoredBackupJob(withBackup, { ...ref, key }, aContext());
  const pod = job?.spec?.template.spec;
  const env = pod?.containers[0]?.env ?? [];

  it("deletes the stored objects by key, owned by the FinanceTrackerBackup", () => {
    expect(job?.metadata?.name).toBe("acme-202501020300-delete");
    expect(job?.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: "FinanceTrackerBackup", name: ref.name, controller: true }),
    ]);
    expect(pod?.containers[0]?.args).toEqual(["delete", "--key", key]);
    expect(job?.spec?.backoffLimit).toBe(1);
    expect(job?.spec?.activeDeadlineSeconds).toBeLessThanOrEqual(600);
  });

  it("runs restricted, as a backup pod the tenant's backup NetworkPolicy selects", () => {
    const selector = buildBackupNetworkPolicy(withBackup)?.spec?.podSelector?.matchLabels ?? {};
    expect(job?.spec?.template.metadata?.labels).toMatchObject(selector);
    if (!pod) throw new Error("no pod spec");
    expectRestrictedPodSpec(pod);
  });

  it("gets the bucket and its credentials by Secret reference, and no database credentials", () => {
    const names = env.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(["BACKUP_S3_BUCKET", "BACKUP_S3_PREFIX"]));
    expect(names).not.toContain("DATABASE_URL");
    expect(env.find((e) => e.name === "AWS_SECRET_ACCESS_KEY")?.valueFrom?.secretKeyRef).toEqual({
      name: "acme-s3",
      key: "AWS_SECRET_ACCESS_KEY",
    });
  });

  it("is not built without spec.backup, and keeps long names within 63 characters", () => {
    expect(buildDeleteStoredBackupJob(aTracker(), { ...ref, key }, aContext())).toBeUndefined();
    const long = deleteJobName("x".repeat(120));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/-delete$/);
    expect(deleteJobName("x".repeat(120))).not.toBe(backupJobName("x".repeat(120)));
  });
});

describe("buildRestoreJob", () => {
  it("restores the named backup into the tenant's database, retrying while PostgreSQL starts", () => {
    const tracker = aTracker({ spec: { restore: { from: { s3, backup: "b-7" } } } });
    const job = buildRestoreJob(tracker, aContext());
    expect(job?.metadata?.name).toBe("acme-restore");
    expect(job?.metadata?.ownerReferences?.[0]?.kind).toBe("FinanceTracker");
    expect(job?.spec?.template.spec?.containers[0]?.args).toEqual(["restore", "--name", "b-7"]);
    expect(buildRestoreJob(aTracker(), aContext())).toBeUndefined();
  });
});
