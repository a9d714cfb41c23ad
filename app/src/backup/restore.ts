import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { migrate } from "../db/migrate.ts";
import type { Manifest } from "./manifest.ts";
import { libpqEnv, redact, runProgram } from "./postgres.ts";
import type { ObjectStore } from "./store.ts";
import { verifyingStream } from "./stream.ts";

/** What one restore needs. */
export interface RestoreOptions {
  store: ObjectStore;
  manifest: Manifest;
  /** An existing, empty database; its user becomes the owner of what is restored. */
  databaseUrl: string;
  binDir: string;
  /** Run the app's migrations afterwards when the dump is older than this build [true]. */
  migrate?: boolean;
  migrationsDir?: string;
  log?: (message: string) => void;
}

/** What a restore did. */
export interface RestoreResult {
  /** Migration files applied after the restore because the dump was older than this build. */
  migrated: string[];
}

/**
 * Streams a backup from the store into pg_restore in one transaction, checking size and sha256
 * on the way: the archive's last bytes are withheld until the checksum matches, so a corrupted
 * object restores nothing. Refuses a database that already holds tables.
 */
export async function restore(options: RestoreOptions): Promise<RestoreResult> {
  const { store, manifest, databaseUrl, binDir } = options;
  const log = options.log ?? (() => undefined);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // An idle connection's error (the server going away) is not this restore's failure.
  pool.on("error", () => undefined);
  try {
    const existing = await pool.query<{ n: string }>(
      `select count(*)::text as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
          and n.nspname not like 'pg_toast%'`,
    );
    if (Number(existing.rows[0]?.n ?? 0) > 0) {
      throw new Error("the target database is not empty: restore only into an empty database");
    }
    const { dbname, env } = libpqEnv(databaseUrl);
    const restoring = runProgram(
      binDir,
      "pg_restore",
      [
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-acl",
        "--no-password",
        `--dbname=${dbname}`,
      ],
      { env, stdio: ["pipe", "ignore", "pipe"] },
    );
    const stdin = restoring.child.stdin;
    if (!stdin) throw new Error("pg_restore has no stdin");
    log(
      `restoring ${manifest.name} (${manifest.size} bytes) from s3://${store.bucket}/${manifest.key}`,
    );
    const source = await store.download(manifest.key);
    const check = verifyingStream({ size: manifest.size, sha256: manifest.sha256 }, () => {
      // Kill before the pipe closes: pg_restore must never see an end of input and commit.
      restoring.child.kill("SIGKILL");
    });
    try {
      // Read to the end even when pg_restore gives up early (a corrupted archive), so that the
      // checksum, the more telling verdict, is known and reported first.
      await pipeline(source, check, forgivingSink(stdin));
      await restoring.exited;
    } catch (error) {
      restoring.child.kill("SIGKILL");
      await restoring.exited.catch(() => undefined);
      throw error;
    }
    let migrated: string[] = [];
    if (options.migrate ?? true) {
      const result = await migrate(pool, {
        ...(options.migrationsDir ? { dir: options.migrationsDir } : {}),
        log,
      });
      migrated = result.applied;
    }
    return { migrated };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`restore of ${manifest.name} failed: ${redact(message, databaseUrl)}`, {
      cause: error,
    });
  } finally {
    await pool.end();
  }
}

/**
 * A sink that writes into `target` until it breaks (EPIPE: the reader exited), then swallows the
 * rest: the stream before it still runs to its end, and its verdict, not the broken pipe, fails
 * the pipeline.
 */
function forgivingSink(target: Writable): Writable {
  let broken = false;
  let waiting: (() => void) | undefined;
  const release = () => {
    const callback = waiting;
    waiting = undefined;
    callback?.();
  };
  target.on("error", () => {
    broken = true;
    release();
  });
  target.on("drain", release);
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (broken || target.write(chunk)) {
        callback();
        return;
      }
      waiting = () => {
        callback();
      };
    },
    final(callback) {
      if (!broken) target.end();
      callback();
    },
  });
}
