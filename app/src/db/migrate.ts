import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";

/** The folder of SQL migrations that ships with the app. */
export const migrationsDir = fileURLToPath(new URL("migrations/", import.meta.url));

/** One versioned SQL file: `0001_initial.sql` is version "0001", name "initial". */
export interface Migration {
  version: string;
  name: string;
  file: string;
  sql: string;
  /** sha256 of the file's bytes, hex. */
  checksum: string;
}

/** A row of schema_migrations: a migration the database has already applied. */
export interface AppliedMigration {
  version: string;
  name: string;
  checksum: string;
}

export interface MigrateOptions {
  dir?: string;
  log?: (message: string) => void;
}

export interface MigrateResult {
  /** File names applied by this call, in order. */
  applied: string[];
  /** The database's version afterwards. */
  current: string;
}

export interface SchemaStatus {
  /** The highest version the database has applied; null before the first migration. */
  current: string | null;
  /** The highest version this build knows. */
  latest: string;
  /** File names this build knows and the database has not applied. */
  pending: string[];
  /** True when the database is exactly at this build's schema: ready to serve. */
  upToDate: boolean;
}

const fileNamePattern = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * The session-level advisory lock every replica takes before migrating: the first 8 bytes of
 * sha256("fintrack:migrations") as a signed bigint. It must never change, or an old and a new
 * replica starting together during a rollout would migrate at the same time.
 */
export const migrationLockKey = createHash("sha256")
  .update("fintrack:migrations")
  .digest()
  .readBigInt64BE(0)
  .toString();

const createTable = `create table if not exists schema_migrations (
  version text primary key,
  name text not null,
  checksum text not null,
  applied_at timestamptz not null default now()
)`;

/** Reads the migration files of `dir` in version order, refusing misnamed or duplicate ones. */
export async function readMigrations(dir: string = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir))
    .filter((f) => f.endsWith(".sql"))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) throw new Error(`no migration files in ${dir}`);
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = fileNamePattern.exec(file);
    const version = match?.[1];
    const name = match?.[2];
    if (!version || !name) {
      throw new Error(`migration file ${file} is not named NNNN_description.sql (in ${dir})`);
    }
    const previous = migrations.at(-1);
    if (previous?.version === version) {
      throw new Error(`migration files ${previous.file} and ${file} share version ${version}`);
    }
    const bytes = await readFile(join(dir, file));
    const checksum = createHash("sha256").update(bytes).digest("hex");
    migrations.push({ version, name, file, sql: bytes.toString("utf8"), checksum });
  }
  return migrations;
}

/**
 * Decides what to apply, refusing a database that is ahead of this build, that records a
 * migration this build lacks, or whose applied migrations were edited since: the schema it has
 * is then not the one this code was written for.
 */
export function planMigrations(
  known: readonly Migration[],
  applied: readonly AppliedMigration[],
): Migration[] {
  const latest = latestVersion(known);
  const current = highestVersion(applied);
  if (current !== null && current > latest) {
    throw new Error(`database is at ${current} but this build only knows up to ${latest}`);
  }
  const byVersion = new Map(known.map((m) => [m.version, m]));
  for (const row of applied) {
    const migration = byVersion.get(row.version);
    if (!migration) {
      throw new Error(
        `migration ${row.version}_${row.name}.sql is recorded in the database but this build has no such file`,
      );
    }
    if (migration.checksum !== row.checksum) {
      throw new Error(
        `migration ${migration.file} was changed after it was applied (recorded sha256 ${row.checksum.slice(0, 12)}, file ${migration.checksum.slice(0, 12)}): restore it and add a new migration instead`,
      );
    }
  }
  const done = new Set(applied.map((row) => row.version));
  return known.filter((m) => !done.has(m.version));
}

/**
 * Brings the database up to this build's schema. Holds an advisory lock on one connection for
 * the whole run so replicas starting together migrate one after another; each file runs in its
 * own transaction together with its schema_migrations row, so a failure leaves no trace of it.
 */
export async function migrate(pool: pg.Pool, options: MigrateOptions = {}): Promise<MigrateResult> {
  const log = options.log ?? (() => undefined);
  const known = await readMigrations(options.dir);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      "select pg_try_advisory_lock($1::bigint) as locked",
      [migrationLockKey],
    );
    if (!rows[0]?.locked) {
      log("another instance is migrating: waiting for the migration lock");
      await client.query("select pg_advisory_lock($1::bigint)", [migrationLockKey]);
    }
    try {
      await client.query(createTable);
      const pending = planMigrations(known, await readApplied(client));
      const applied: string[] = [];
      for (const migration of pending) {
        await applyOne(client, migration, log);
        applied.push(migration.file);
      }
      return { applied, current: latestVersion(known) };
    } finally {
      try {
        await client.query("select pg_advisory_unlock($1::bigint)", [migrationLockKey]);
      } catch (error) {
        // Closing the connection ends the session, which releases the lock.
        broken = error instanceof Error ? error : new Error(String(error));
      }
    }
  } finally {
    client.release(broken);
  }
}

/** The file names `migrate` would apply now; throws where `migrate` would refuse. */
export async function pendingMigrations(
  pool: pg.Pool,
  dir: string = migrationsDir,
): Promise<string[]> {
  const known = await readMigrations(dir);
  return planMigrations(known, (await readAppliedIfAny(pool)) ?? []).map((m) => m.file);
}

/**
 * Compares the database's schema version with this build's, without locking or writing: for
 * readiness checks, which should report rather than throw.
 */
export async function schemaStatus(
  pool: pg.Pool,
  dir: string = migrationsDir,
): Promise<SchemaStatus> {
  const known = await readMigrations(dir);
  const applied = (await readAppliedIfAny(pool)) ?? [];
  const done = new Set(applied.map((row) => row.version));
  const current = highestVersion(applied);
  const latest = latestVersion(known);
  const pending = known.filter((m) => !done.has(m.version)).map((m) => m.file);
  return { current, latest, pending, upToDate: pending.length === 0 && current === latest };
}

async function applyOne(
  client: pg.PoolClient,
  migration: Migration,
  log: (message: string) => void,
): Promise<void> {
  const started = performance.now();
  await client.query("begin");
  try {
    await client.query(migration.sql);
    await client.query(
      "insert into schema_migrations (version, name, checksum) values ($1, $2, $3)",
      [migration.version, migration.name, migration.checksum],
    );
    await client.query("commit");
  } catch (error) {
    // A failed rollback means a dead connection, which rolls back by itself; report the cause.
    await client.query("rollback").catch(() => undefined);
    const where = lineOf(migration.sql, error);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${migration.file} failed${where}: ${reason}`, { cause: error });
  }
  log(`applied ${migration.file} in ${Math.round(performance.now() - started)} ms`);
}

async function readApplied(db: pg.PoolClient | pg.Pool): Promise<AppliedMigration[]> {
  const { rows } = await db.query<AppliedMigration>(
    "select version, name, checksum from schema_migrations order by version",
  );
  return rows;
}

/** Like readApplied, but null when the database has never been migrated. */
async function readAppliedIfAny(pool: pg.Pool): Promise<AppliedMigration[] | null> {
  const { rows } = await pool.query<{ exists: boolean }>(
    "select to_regclass('schema_migrations') is not null as exists",
  );
  return rows[0]?.exists ? readApplied(pool) : null;
}

function latestVersion(known: readonly Migration[]): string {
  const last = known.at(-1);
  if (!last) throw new Error("no migrations known");
  return last.version;
}

function highestVersion(applied: readonly AppliedMigration[]): string | null {
  return applied.reduce<string | null>(
    (max, r) => (max === null || r.version > max ? r.version : max),
    null,
  );
}

/** " at line N" when PostgreSQL reported where in the file the error is, else "". */
function lineOf(sql: string, error: unknown): string {
  if (typeof error !== "object" || error === null || !("position" in error)) return "";
  const position = Number(error.position);
  if (!Number.isInteger(position) || position < 1) return "";
  return ` at line ${sql.slice(0, position - 1).split("\n").length}`;
}
