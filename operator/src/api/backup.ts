import { z } from "zod";
import { parseCron } from "../backup/cron.ts";
import { celRules, celString, condition, objectName } from "./schema-helpers.ts";

/**
 * The backup half of the API: `spec.backup` and `spec.restore` on a FinanceTracker, and the
 * FinanceTrackerBackup kind, one object per backup. Like v1alpha1.ts, each zod schema here is
 * both the operator's validator and the source of the CRDs' OpenAPI schemas.
 */

export const backupKind = "FinanceTrackerBackup";
export const backupPlural = "financetrackerbackups";

// One cron field: a value or range (each within the field's bounds), or `*`, optionally stepped,
// comma-separated. The bounds are in the pattern so the API server refuses `61 25 * * *` at
// admission; the operator's parser (backup/cron.ts) checks the rest, such as backward ranges.
const cronField = (value: string): string => {
  const item = `(\\*|${value}(-${value})?)(/[1-9][0-9]*)?`;
  return `${item}(,${item})*`;
};
const cronValues = [
  "[0-5]?[0-9]",
  "[01]?[0-9]|2[0-3]",
  "0?[1-9]|[12][0-9]|3[01]",
  "0?[1-9]|1[0-2]|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
  "[0-7]|(?i:sun|mon|tue|wed|thu|fri|sat)",
].map((v) => cronField(`(${v})`));
/** A standard 5-field cron expression (minute hour day-of-month month day-of-week), in RE2. */
export const cronPattern = `^${cronValues.join(" ")}$`;

const credentialsSecretRef = z
  .object({
    name: objectName("credentialsSecretRef.name", "s3-credentials").meta({
      description: "A Secret in the tenant's namespace holding the S3 access key pair.",
    }),
    accessKeyIdKey: z.string().min(1).max(253).default("AWS_ACCESS_KEY_ID").meta({
      description: "The Secret key holding the access key id.",
    }),
    secretAccessKeyKey: z.string().min(1).max(253).default("AWS_SECRET_ACCESS_KEY").meta({
      description: "The Secret key holding the secret access key.",
    }),
  })
  .meta({
    description:
      "Where the S3 credentials are; they reach the Jobs as environment from the Secret only.",
  });

/** An S3-compatible bucket location (AWS, MinIO, Ceph, SeaweedFS, R2). */
export const s3Destination = z
  .object({
    bucket: z.string().min(3).max(63).meta({ description: "Bucket name." }),
    prefix: z.string().max(512).default("").meta({
      description:
        "Key prefix under which this tenant's backups are stored, for example tenants/acme.",
    }),
    endpoint: z
      .url({ protocol: /^https?$/ })
      .max(512)
      .optional()
      .meta({
        description: "Endpoint URL of an S3-compatible service; AWS S3 when omitted.",
        ...celRules({
          rule: "self.matches('^https?://[^/?#\\\\s@]+(/[^?#]*)?$')",
          message:
            "endpoint must be an http:// or https:// URL without a query, for example https://s3.example.com",
        }),
      }),
    region: z.string().min(1).max(64).default("us-east-1").meta({ description: "Bucket region." }),
    forcePathStyle: z.boolean().default(false).meta({
      description:
        "Address the bucket in the path (MinIO, Ceph and most self-hosted services need it).",
    }),
    credentialsSecretRef,
  })
  .meta({ description: "An S3-compatible bucket." });

const retention = z
  .object({
    keepLast: z
      .int()
      .min(1)
      .max(1000)
      .default(7)
      .meta({ description: "Keep the newest N backups." }),
    keepDaily: z.int().min(1).max(1000).optional().meta({
      description: "Also keep the newest backup of each of the last N days.",
    }),
    keepWeekly: z.int().min(1).max(1000).optional().meta({
      description: "Also keep the newest backup of each of the last N ISO weeks.",
    }),
    keepMonthly: z.int().min(1).max(1000).optional().meta({
      description: "Also keep the newest backup of each of the last N months.",
    }),
  })
  .default({ keepLast: 7 })
  .meta({
    description:
      "Which backups to keep; the rest are deleted after each backup. The newest verified backup is always kept.",
  });

const cronMessage =
  "schedule must be 5 cron fields in UTC: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-7 or sun-sat; for example '0 3 * * *'";

/** `spec.backup`: scheduled backups of the tenant's database. */
export const backupSpec = z
  .object({
    schedule: z
      .string()
      .max(100)
      // The operator's parser has the last word (it also refuses backward ranges such as 5-3),
      // so a schedule admission let through still ends as InvalidSpec, never as a retried error.
      .superRefine((text, ctx) => {
        try {
          parseCron(text);
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          ctx.addIssue({ code: "custom", message: `${cronMessage} (${why})` });
        }
      })
      .meta({
        description:
          "When to back up, as a 5-field cron expression in UTC, for example '0 3 * * *'.",
        ...celRules({ rule: `self.matches(${celString(cronPattern)})`, message: cronMessage }),
      }),
    retention,
    destination: z.object({ s3: s3Destination }).meta({ description: "Where backups are stored." }),
    verify: z.boolean().default(true).meta({
      description:
        "Prove every backup by restoring it into a throwaway PostgreSQL and comparing row counts.",
    }),
    suspend: z.boolean().default(false).meta({
      description: "Stop creating scheduled backups; on-demand FinanceTrackerBackups still run.",
    }),
    successfulBackupsHistoryLimit: z.int().min(1).max(1000).default(14).meta({
      description:
        "How many completed scheduled FinanceTrackerBackup objects to keep, like a CronJob's history limit. Older ones are deleted; their stored backups stay, as retention says, and remain restorable by name.",
    }),
    failedBackupsHistoryLimit: z.int().min(0).max(1000).default(3).meta({
      description: "How many failed scheduled FinanceTrackerBackup objects to keep.",
    }),
  })
  .meta({
    description: "Scheduled, verified backups of the tenant's database to S3-compatible storage.",
  });

/** `spec.restore`: fill a new tenant's database from a backup before the app starts. */
export const restoreSpec = z
  .object({
    from: z
      .object({
        s3: s3Destination,
        backup: z.string().min(1).max(200).default("latest").meta({
          description:
            "Name of the backup to restore, or 'latest' for the newest one under the prefix.",
        }),
      })
      .meta({ description: "The backup to restore from." }),
  })
  .meta({
    description:
      "Restore the tenant's database from a backup before the app first starts. Set only at creation.",
    ...celRules({ rule: "self == oldSelf", message: "restore cannot be changed after creation" }),
  });

/** `status.lastBackup` on the FinanceTracker. */
export const lastBackupStatus = z
  .object({
    name: z.string(),
    time: z.string().meta({ format: "date-time", description: "When the backup finished." }),
    verified: z.boolean(),
  })
  .meta({ description: "The newest finished backup." });

/** A FinanceTrackerBackup's spec: which tenant, and what to do with the object on deletion. */
export const trackerBackupSpec = z
  .object({
    trackerRef: z
      .object({
        name: z
          .string()
          .min(1)
          .max(63)
          .meta({ description: "The FinanceTracker in this namespace." }),
      })
      .meta({
        description: "The tenant to back up.",
        ...celRules({ rule: "self == oldSelf", message: "trackerRef cannot be changed" }),
      }),
    deleteStoredBackup: z
      .boolean()
      .default(false)
      .meta({
        description:
          "Delete the stored dump, manifest and verification result from the bucket when this object is deleted. " +
          "While true and status.key is set, the operator holds the finalizer fintrack.dev/stored-backup; on " +
          "deletion it runs a short Job with the tenant's destination and lets the object go once the Job " +
          "succeeds. A failed Job keeps the object (condition StoredBackupDeleted says why) and is retried every " +
          "5 minutes; setting this back to false releases it at once and keeps the stored backup. If the " +
          "FinanceTracker is gone or has no spec.backup, the stored backup is kept. False (the default): " +
          "deletion is immediate and the stored backup stays.",
      }),
  })
  .meta({ description: "One backup of a tenant, on demand or created by the schedule." });

/** Phases of one backup. */
export const backupPhases = [
  "Pending",
  "Running",
  "Completed",
  "Failed",
  "VerificationFailed",
] as const;
export type BackupPhase = (typeof backupPhases)[number];

/** What the operator reports about one backup. */
export const trackerBackupStatus = z
  .object({
    phase: z.enum(backupPhases).optional().meta({ description: "Where the backup is." }),
    message: z.string().optional().meta({ description: "Why it failed, or what it is doing." }),
    jobName: z.string().optional(),
    startTime: z.string().optional().meta({ format: "date-time" }),
    completionTime: z.string().optional().meta({ format: "date-time" }),
    key: z.string().optional().meta({ description: "The dump's object key in the bucket." }),
    size: z.int().optional().meta({ description: "Bytes stored." }),
    sha256: z.string().optional().meta({ description: "sha256 of the stored dump, hex." }),
    postgresVersion: z.string().optional(),
    schemaVersion: z.string().optional().meta({ description: "The app's migration version." }),
    verification: z
      .object({
        verified: z.boolean(),
        message: z.string().optional(),
      })
      .optional()
      .meta({ description: "The result of restoring the backup into a throwaway PostgreSQL." }),
    conditions: z
      .array(condition)
      .optional()
      .meta({
        description:
          "StoredBackupDeleted: how deleting the stored backup goes, once this object is deleted.",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
      }),
  })
  .meta({ description: "The observed state of one backup." });

export type BackupSpec = z.output<typeof backupSpec>;
export type RestoreSpec = z.output<typeof restoreSpec>;
export type S3Destination = z.output<typeof s3Destination>;
export type LastBackupStatus = z.output<typeof lastBackupStatus>;
export type TrackerBackupSpec = z.output<typeof trackerBackupSpec>;
export type TrackerBackupStatus = z.output<typeof trackerBackupStatus>;
