import type { V1EnvVar, V1Job, V1PodSpec, V1ResourceRequirements } from "@kubernetes/client-node";
import type { S3Destination } from "../../api/backup.ts";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { credentialKeys } from "../../context.ts";
import type { BuildContext } from "../../context.ts";
import {
  childLabels,
  childNames,
  childMetadata,
  backupJobName,
  deleteJobName,
  restoreJobName,
} from "../../names.ts";
import { previousDatabasePassword } from "../secret/credentials.ts";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../security.ts";

/** The uid and gid of the `postgres` user in the official postgres image the backup image builds on. */
const backupUser = 999;
/** Where the backup image keeps the program (Dockerfile.backup). */
const cli = "/opt/fintrack/app/src/backup/cli.ts";
/** The PostgreSQL 18 programs in the backup image. */
const pgBinDir = "/usr/lib/postgresql/18/bin";

/** Label naming the FinanceTrackerBackup a Job works for; the operator maps Jobs back by it. */
export const backupLabel = "fintrack.dev/backup";
/** Label marking a tenant's restore Job. */
export const restoreLabel = "fintrack.dev/restore";

/**
 * Annotation asking for a backup to be verified even when spec.backup.verify is off: the backup
 * taken before a PostgreSQL major upgrade is one.
 */
export const verifyAnnotation = "fintrack.dev/verify";

/** The owner of a backup Job: its FinanceTrackerBackup. */
export interface BackupRef {
  name: string;
  uid: string;
  annotations?: Record<string, string>;
}

function ownedBy(tracker: FinanceTracker, backup: BackupRef) {
  return {
    apiVersion: tracker.apiVersion,
    kind: "FinanceTrackerBackup",
    name: backup.name,
    uid: backup.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

const backupResources: V1ResourceRequirements = {
  requests: { cpu: "100m", memory: "256Mi" },
  limits: { memory: "1Gi" },
};

/** The environment that points the backup program at a bucket; credentials by Secret reference. */
export function s3Env(s3: S3Destination): V1EnvVar[] {
  const ref = s3.credentialsSecretRef;
  return [
    { name: "BACKUP_S3_BUCKET", value: s3.bucket },
    { name: "BACKUP_S3_PREFIX", value: s3.prefix },
    ...(s3.endpoint ? [{ name: "BACKUP_S3_ENDPOINT", value: s3.endpoint }] : []),
    { name: "BACKUP_S3_REGION", value: s3.region },
    { name: "BACKUP_S3_FORCE_PATH_STYLE", value: String(s3.forcePathStyle) },
    {
      name: "AWS_ACCESS_KEY_ID",
      valueFrom: { secretKeyRef: { name: ref.name, key: ref.accessKeyIdKey } },
    },
    {
      name: "AWS_SECRET_ACCESS_KEY",
      valueFrom: { secretKeyRef: { name: ref.name, key: ref.secretAccessKeyKey } },
    },
  ];
}

function retentionEnv(name: string, count: number | undefined): V1EnvVar[] {
  return count === undefined ? [] : [{ name, value: String(count) }];
}

function databaseEnv(tracker: FinanceTracker): V1EnvVar {
  return {
    name: "DATABASE_URL",
    valueFrom: {
      secretKeyRef: {
        name: childNames(tracker.metadata.name).credentialsSecret,
        key: credentialKeys.databaseUrl,
      },
    },
  };
}

function podSpec(
  ctx: BuildContext,
  args: string[],
  env: V1EnvVar[],
  resources = backupResources,
): V1PodSpec {
  return {
    restartPolicy: "Never",
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(backupUser, backupUser),
    containers: [
      {
        name: "backup",
        image: ctx.images.backup,
        command: ["node", cli],
        args,
        env: [
          ...env,
          { name: "PG_BIN_DIR", value: pgBinDir },
          { name: "HOME", value: "/tmp" },
          { name: "TMPDIR", value: "/tmp" },
        ],
        // The result line the operator reads back into the FinanceTrackerBackup's status.
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "FallbackToLogsOnError",
        resources,
        securityContext: restrictedContainerSecurityContext(),
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      },
    ],
    // The verification's throwaway PostgreSQL lives here; the dump itself never touches disk.
    volumes: [{ name: "tmp", emptyDir: {} }],
  };
}

/**
 * The Job that takes one backup (and, with `verify`, proves it in a throwaway PostgreSQL, then
 * applies retention). Owned by its FinanceTrackerBackup; runs once, never retried by the Job
 * controller: a failed backup is reported, and the next schedule tries again.
 */
export function buildBackupJob(
  tracker: FinanceTracker,
  backup: BackupRef,
  ctx: BuildContext,
): V1Job | undefined {
  const spec = tracker.spec.backup;
  if (!spec) return undefined;
  const name = tracker.metadata.name;
  const labels = { ...childLabels(name, "backup"), [backupLabel]: backup.name };
  const retention = spec.retention;
  const env: V1EnvVar[] = [
    databaseEnv(tracker),
    previousDatabasePassword(childNames(tracker.metadata.name).credentialsSecret),
    ...s3Env(spec.destination.s3),
    { name: "BACKUP_TENANT", value: `${tracker.metadata.namespace}/${name}` },
    { name: "BACKUP_KEEP_LAST", value: String(retention.keepLast) },
    ...retentionEnv("BACKUP_KEEP_DAILY", retention.keepDaily),
    ...retentionEnv("BACKUP_KEEP_WEEKLY", retention.keepWeekly),
    ...retentionEnv("BACKUP_KEEP_MONTHLY", retention.keepMonthly),
  ];
  const verify = spec.verify || backup.annotations?.[verifyAnnotation] === "true";
  const args = ["backup", "--name", backup.name, ...(verify ? ["--verify"] : []), "--prune"];
  const meta = childMetadata(tracker, "backup", backupJobName(backup.name), { labels });
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { ...meta, ownerReferences: [ownedBy(tracker, backup)] },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 6 * 3600,
      ttlSecondsAfterFinished: finishedJobTtlSeconds,
      template: { metadata: { labels }, spec: podSpec(ctx, args, env) },
    },
  };
}

/**
 * How long a finished Job and its pods stay for a look at their logs before the TTL controller
 * collects them. Every outcome is copied to a FinanceTrackerBackup (or the app Deployment exists
 * after a restore) long before, so nothing reads a Job this old.
 */
export const finishedJobTtlSeconds = 24 * 3600;

/**
 * The Job that deletes one backup's dump, manifest and verification result by its dump's key,
 * before its FinanceTrackerBackup (which owns the Job, so it goes with it) may go. Its pods are
 * backup pods to the tenant's NetworkPolicy and get the bucket's credentials but none of the
 * database's. The Job controller retries once; after that the operator reports and retries.
 */
export function buildDeleteStoredBackupJob(
  tracker: FinanceTracker,
  backup: BackupRef & { key: string },
  ctx: BuildContext,
): V1Job | undefined {
  const spec = tracker.spec.backup;
  if (!spec) return undefined;
  const name = tracker.metadata.name;
  const labels = { ...childLabels(name, "backup"), [backupLabel]: backup.name };
  const env: V1EnvVar[] = [
    ...s3Env(spec.destination.s3),
    { name: "BACKUP_TENANT", value: `${tracker.metadata.namespace}/${name}` },
  ];
  const meta = childMetadata(tracker, "backup", deleteJobName(backup.name), { labels });
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { ...meta, ownerReferences: [ownedBy(tracker, backup)] },
    spec: {
      backoffLimit: 1,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: finishedJobTtlSeconds,
      template: {
        metadata: { labels },
        spec: podSpec(ctx, ["delete", "--key", backup.key], env, {
          requests: { cpu: "50m", memory: "128Mi" },
          limits: { memory: "256Mi" },
        }),
      },
    },
  };
}

/**
 * The Job that fills a new tenant's empty database from a backup; the app is not deployed until
 * it has succeeded, so no migration or user ever sees a half-restored database.
 */
export function buildRestoreJob(tracker: FinanceTracker, ctx: BuildContext): V1Job | undefined {
  const from = tracker.spec.restore?.from;
  if (!from) return undefined;
  const name = tracker.metadata.name;
  const labels = { ...childLabels(name, "backup"), [restoreLabel]: name };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: childMetadata(tracker, "backup", restoreJobName(name), { labels }),
    spec: {
      // PostgreSQL may still be starting: a few retries, each into a database still empty
      // (pg_restore runs in one transaction, so a failed attempt leaves nothing behind).
      backoffLimit: 6,
      activeDeadlineSeconds: 6 * 3600,
      ttlSecondsAfterFinished: finishedJobTtlSeconds,
      template: {
        metadata: { labels },
        spec: podSpec(
          ctx,
          ["restore", "--name", from.backup],
          [
            databaseEnv(tracker),
            previousDatabasePassword(childNames(tracker.metadata.name).credentialsSecret),
            ...s3Env(from.s3),
          ],
        ),
      },
    },
  };
}
