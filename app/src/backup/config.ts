import { z } from "zod";
import { databaseUrlFromEnv, readSecretText } from "../db/password-file.ts";
import type { RetentionPolicy } from "./retention.ts";
import type { StoreConfig } from "./store.ts";

const flag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");
const count = z.coerce.number().int().min(0).optional();

/** The backup program's environment: one schema, every problem listed at once. */
export const backupEnvSchema = z.object({
  BACKUP_S3_BUCKET: z.string().min(1),
  BACKUP_S3_PREFIX: z.string().default(""),
  // Empty is unset: Compose's `${BACKUP_S3_ENDPOINT:-}` passes "" for AWS S3 itself.
  BACKUP_S3_ENDPOINT: z.preprocess((v) => (v === "" ? undefined : v), z.url().optional()),
  BACKUP_S3_REGION: z.string().min(1).default("us-east-1"),
  BACKUP_S3_FORCE_PATH_STYLE: flag,
  BACKUP_TENANT: z.string().default(""),
  BACKUP_KEEP_LAST: z.coerce.number().int().min(1).default(7),
  BACKUP_KEEP_DAILY: count,
  BACKUP_KEEP_WEEKLY: count,
  BACKUP_KEEP_MONTHLY: count,
  BACKUP_COMPRESSION: z.coerce.number().int().min(0).max(9).default(1),
  /** Where the one-line JSON result goes for the operator (a container's termination log). */
  BACKUP_RESULT_FILE: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  /** A file holding DATABASE_URL's password (a Compose secret), which then names none. */
  DATABASE_PASSWORD_FILE: z.string().min(1).optional(),
  /** The password a credentials rotation is replacing: see urlThatOpens. */
  DATABASE_PASSWORD_PREVIOUS: z.string().optional(),
  PGHOST: z.string().optional(),
  PGPORT: z.string().optional(),
  PGUSER: z.string().optional(),
  PGPASSWORD: z.string().optional(),
  PGDATABASE: z.string().optional(),
  PG_BIN_DIR: z.string().optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
});

/** The parsed environment. */
export type BackupEnv = z.output<typeof backupEnvSchema>;

/** Parses the environment, or throws one error naming every bad variable (never their values). */
export function parseBackupEnv(env: NodeJS.ProcessEnv): BackupEnv {
  const result = backupEnvSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  throw new Error(`invalid backup environment:\n${lines.join("\n")}`);
}

/** The bucket settings from the environment. */
export function storeConfig(env: BackupEnv): StoreConfig {
  return {
    bucket: env.BACKUP_S3_BUCKET,
    prefix: env.BACKUP_S3_PREFIX,
    endpoint: env.BACKUP_S3_ENDPOINT,
    region: env.BACKUP_S3_REGION,
    forcePathStyle: env.BACKUP_S3_FORCE_PATH_STYLE,
    credentials:
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
        : undefined,
  };
}

/** The retention policy from the environment. */
export function retentionPolicy(env: BackupEnv): RetentionPolicy {
  return {
    keepLast: env.BACKUP_KEEP_LAST,
    ...(env.BACKUP_KEEP_DAILY ? { keepDaily: env.BACKUP_KEEP_DAILY } : {}),
    ...(env.BACKUP_KEEP_WEEKLY ? { keepWeekly: env.BACKUP_KEEP_WEEKLY } : {}),
    ...(env.BACKUP_KEEP_MONTHLY ? { keepMonthly: env.BACKUP_KEEP_MONTHLY } : {}),
  };
}

/**
 * The database URL: DATABASE_URL (with DATABASE_PASSWORD_FILE's password when set), else one
 * built from the libpq variables the operator's Jobs set (PGHOST, PGUSER, PGPASSWORD from the
 * tenant's Secret, ...).
 */
export function databaseUrl(env: BackupEnv, read = readSecretText): string {
  const url = databaseUrlFromEnv(env, read);
  if (url) return url;
  if (!env.PGHOST || !env.PGDATABASE) {
    throw new Error("set DATABASE_URL, or PGHOST, PGDATABASE, PGUSER and PGPASSWORD");
  }
  const user = encodeURIComponent(env.PGUSER ?? "postgres");
  const password = env.PGPASSWORD ? `:${encodeURIComponent(env.PGPASSWORD)}` : "";
  const port = env.PGPORT ? `:${env.PGPORT}` : "";
  return `postgres://${user}${password}@${env.PGHOST}${port}/${encodeURIComponent(env.PGDATABASE)}`;
}
