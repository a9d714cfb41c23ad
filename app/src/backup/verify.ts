import pg from "pg";
import { backupKeys, compareWithManifest, type Manifest, type Verification } from "./manifest.ts";
import { countRows, schemaVersion } from "./postgres.ts";
import { restore } from "./restore.ts";
import type { ObjectStore } from "./store.ts";
import { startThrowawayPostgres } from "./throwaway.ts";

/** What one verification needs. */
export interface VerifyOptions {
  store: ObjectStore;
  manifest: Manifest;
  /** Folder with initdb, postgres and pg_restore. */
  binDir: string;
  workDir?: string;
  now?: () => Date;
  log?: (message: string) => void;
}

/**
 * Proves a backup: restores it into a throwaway PostgreSQL (no migrations, so the schema version
 * must be the manifest's), compares every table's row count with the manifest, and stores the
 * result beside the backup. A restore that fails (checksum, pg_restore) is a failed verification,
 * not an error: the result is still recorded.
 */
export async function verify(options: VerifyOptions): Promise<Verification> {
  const { store, manifest } = options;
  const now = options.now ?? (() => new Date());
  const started = performance.now();
  let problems: string[];
  const server = await startThrowawayPostgres(options.binDir, options.workDir);
  try {
    await restore({
      store,
      manifest,
      databaseUrl: server.url,
      binDir: options.binDir,
      migrate: false,
      ...(options.log ? { log: options.log } : {}),
    });
    const db = new pg.Client({ connectionString: server.url });
    db.on("error", () => undefined);
    await db.connect();
    try {
      problems = compareWithManifest(manifest, {
        tables: await countRows(db),
        schemaVersion: await schemaVersion(db),
      });
    } finally {
      await db.end();
    }
  } catch (error) {
    problems = [error instanceof Error ? error.message : String(error)];
  } finally {
    await server.stop();
  }
  const result: Verification = {
    name: manifest.name,
    verified: problems.length === 0,
    checkedAt: now().toISOString(),
    problems,
    durationSeconds: Math.round(performance.now() - started) / 1000,
  };
  await store.putText(
    backupKeys(store.prefix, manifest.name).verification,
    `${JSON.stringify(result, null, 2)}\n`,
  );
  return result;
}
