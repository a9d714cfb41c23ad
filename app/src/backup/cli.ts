import { urlThatOpens } from "../db/password-fallback.ts";
import { existsSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { backup } from "./backup.ts";
import { deleteStoredBackup, listBackups, prune, resolveBackup } from "./catalog.ts";
import {
  databaseUrl,
  parseBackupEnv,
  retentionPolicy,
  storeConfig,
  type BackupEnv,
} from "./config.ts";
import {
  backupKeys,
  checkBackupName,
  defaultBackupName,
  nameFromDumpKey,
  type Manifest,
} from "./manifest.ts";
import { postgresBinDir } from "./postgres.ts";
import { restore } from "./restore.ts";
import { s3Store, type ObjectStore } from "./store.ts";
import { verify } from "./verify.ts";

const usage = `usage: fintrack-backup <command> [options]
  backup  [--name N] [--verify] [--prune]   dump the database (DATABASE_URL or PG*) into the bucket
  verify  --name N|latest          restore into a throwaway PostgreSQL and compare with the manifest
  restore --name N|latest          restore into the empty database, then migrate forward
  prune   [--dry-run]              apply BACKUP_KEEP_{LAST,DAILY,WEEKLY,MONTHLY}
  list                             the complete backups, oldest first, as JSON lines
  delete  --key K|--name N         delete one backup's dump, manifest and verification result;
                                   K is the dump's key under the prefix; already gone is fine
bucket: BACKUP_S3_{BUCKET,PREFIX,ENDPOINT,REGION,FORCE_PATH_STYLE}, AWS_ACCESS_KEY_ID/SECRET`;

/** The result line the operator reads from the container's termination message (<= 4 KiB). */
export function resultLine(result: Record<string, unknown>): string {
  let line = JSON.stringify(result);
  if (line.length > 3800 && Array.isArray(result.problems)) {
    line = JSON.stringify({ ...result, problems: result.problems.slice(0, 5) });
  }
  return line.slice(0, 3900);
}

interface Context {
  config: BackupEnv;
  store: ObjectStore;
  binDir: string;
  report: (result: Record<string, unknown>) => void;
  log: (message: string) => void;
}

interface Flags {
  name?: string | undefined;
  key?: string | undefined;
  verify: boolean;
  dryRun: boolean;
  prune: boolean;
}

type Command = (ctx: Context, values: Flags) => Promise<number>;

const commands: Record<string, Command> = {
  async backup({ config, store, binDir, report, log }, values) {
    const name = values.name ?? defaultBackupName(new Date());
    log(`backing up to s3://${store.bucket}/${store.prefix} as ${name}`);
    const manifest = await backup({
      store,
      databaseUrl: await urlThatOpens(databaseUrl(config), config.DATABASE_PASSWORD_PREVIOUS),
      tenant: config.BACKUP_TENANT,
      name,
      binDir,
      compression: config.BACKUP_COMPRESSION,
    });
    const summary = manifestSummary(manifest);
    log(`backup ${name}: ${manifest.size} bytes, sha256 ${manifest.sha256}`);
    if (!values.verify) {
      if (values.prune) await prune(store, retentionPolicy(config));
      report({ phase: "Completed", ...summary });
      return 0;
    }
    const verification = await verify({ store, manifest, binDir, log });
    // Retention runs only after a proven backup: a failing tenant keeps every older backup.
    const removed =
      values.prune && verification.verified
        ? (await prune(store, retentionPolicy(config))).remove
        : [];
    if (removed.length > 0) log(`retention removed ${removed.join(", ")}`);
    report({
      phase: verification.verified ? "Completed" : "VerificationFailed",
      ...summary,
      verified: verification.verified,
      problems: verification.problems,
    });
    return verification.verified ? 0 : 3;
  },
  async verify({ store, binDir, report, log }, values) {
    const manifest = await resolveBackup(store, values.name ?? "latest");
    const verification = await verify({ store, manifest, binDir, log });
    report({ ...verification });
    return verification.verified ? 0 : 3;
  },
  async restore({ config, store, binDir, report, log }, values) {
    const manifest = await resolveBackup(store, values.name ?? "latest");
    const result = await restore({
      store,
      manifest,
      databaseUrl: await urlThatOpens(databaseUrl(config), config.DATABASE_PASSWORD_PREVIOUS),
      binDir,
      log,
    });
    report({ phase: "Restored", name: manifest.name, migrated: result.migrated });
    return 0;
  },
  async prune({ config, store, report }, values) {
    const plan = await prune(store, retentionPolicy(config), { dryRun: values.dryRun });
    report({ kept: [...plan.keep.keys()], removed: plan.remove, dryRun: values.dryRun });
    return 0;
  },
  async delete({ store, report, log }, values) {
    const name = backupToDelete(store, values);
    const key = backupKeys(store.prefix, name).dump;
    const found = await deleteStoredBackup(store, name);
    log(found ? `deleted backup ${name} (${key})` : `backup ${name} (${key}) was already gone`);
    report({ phase: "Deleted", name, key, found });
    return 0;
  },
  async list({ store }) {
    for (const b of await listBackups(store)) {
      console.log(
        JSON.stringify({
          name: b.manifest.name,
          startedAt: b.manifest.startedAt,
          size: b.manifest.size,
          sha256: b.manifest.sha256,
          schemaVersion: b.manifest.schemaVersion,
          verified: b.verification?.verified ?? null,
        }),
      );
    }
    return 0;
  },
};

/**
 * The backup `delete` names: by its dump's key (what the operator passes from status.key), which
 * must lie directly under this prefix, or by name. A key elsewhere is refused rather than
 * guessed at: it means the destination changed since the backup was stored.
 */
function backupToDelete(store: ObjectStore, values: Flags): string {
  if (values.key !== undefined) {
    const name = nameFromDumpKey(store.prefix, values.key);
    if (name === null) {
      throw new Error(
        `${values.key} is not a backup dump under s3://${store.bucket}/${store.prefix}: refusing to delete it`,
      );
    }
    return name;
  }
  if (values.name !== undefined) return checkBackupName(values.name);
  throw new Error("delete needs --key K or --name N");
}

/** The manifest without its per-table counts: what fits a termination message. */
function manifestSummary(manifest: Manifest): Omit<Manifest, "tables"> {
  const summary: Partial<Manifest> = { ...manifest };
  delete summary.tables;
  return summary as Omit<Manifest, "tables">;
}

/** Runs one command; returns the exit code (0 ok, 1 failed, 2 usage, 3 verification failed). */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      key: { type: "string" },
      verify: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      prune: { type: "boolean", default: false },
    },
  });
  const command = commands[positionals[0] ?? ""];
  if (!command) {
    console.error(usage);
    return 2;
  }
  const config = parseBackupEnv(env);
  const resultFile =
    config.BACKUP_RESULT_FILE ??
    (existsSync("/dev/termination-log") ? "/dev/termination-log" : undefined);
  const report = (result: Record<string, unknown>) => {
    const line = resultLine(result);
    console.log(line);
    if (resultFile) writeFileSync(resultFile, line);
  };
  const log = (message: string) => {
    console.error(`${new Date().toISOString()} ${message}`);
  };
  const ctx: Context = {
    config,
    store: s3Store(storeConfig(config)),
    binDir: postgresBinDir(env),
    report,
    log,
  };
  try {
    return await command(ctx, {
      name: values.name,
      key: values.key,
      verify: values.verify,
      dryRun: values["dry-run"],
      prune: values.prune,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(message);
    report({ phase: "Failed", message });
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
