import pg from "pg";
import {
  backupKeys,
  checkBackupName,
  manifestFormat,
  manifestSchema,
  type Manifest,
} from "./manifest.ts";
import {
  countRows,
  libpqEnv,
  programVersion,
  redact,
  runProgram,
  schemaVersion,
  serverVersion,
} from "./postgres.ts";
import type { ObjectStore } from "./store.ts";
import { hashingStream } from "./stream.ts";

/** What one backup needs. */
export interface BackupOptions {
  store: ObjectStore;
  databaseUrl: string;
  tenant: string;
  name: string;
  /** Folder holding pg_dump; its major must be at least the server's. */
  binDir: string;
  /** pg_dump's gzip level (0-9); 1 is the throughput-friendly default. */
  compression?: number;
  partSize?: number;
  signal?: AbortSignal;
  onProgress?: (uploadedBytes: number) => void;
  now?: () => Date;
}

/**
 * Takes a consistent custom-format dump of the database and streams it straight into a multipart
 * upload, hashing it on the way; nothing is written to local disk. Row counts come from the very
 * snapshot pg_dump dumps (exported from a REPEATABLE READ transaction), so a verification can
 * demand exact equality. The manifest is written last: no manifest, no backup.
 */
export async function backup(options: BackupOptions): Promise<Manifest> {
  const { store, databaseUrl, binDir } = options;
  const now = options.now ?? (() => new Date());
  const name = checkBackupName(options.name);
  const keys = backupKeys(store.prefix, name);
  if ((await store.size(keys.manifest)) !== null) {
    throw new Error(`backup ${name} already exists in s3://${store.bucket}/${keys.manifest}`);
  }
  const pgDumpVersion = await programVersion(binDir, "pg_dump");
  const db = new pg.Client({ connectionString: databaseUrl, application_name: "fintrack-backup" });
  await db.connect();
  let dumpStarted = false;
  try {
    await db.query("begin isolation level repeatable read read only");
    const snapshot = await db.query<{ id: string }>("select pg_export_snapshot() as id");
    const startedAt = now().toISOString();
    const tables = await countRows(db);
    const schema = await schemaVersion(db);
    const postgresVersion = await serverVersion(db);

    const { dbname, env } = libpqEnv(databaseUrl);
    const dump = runProgram(
      binDir,
      "pg_dump",
      [
        "--format=custom",
        `--compress=${String(options.compression ?? 1)}`,
        `--snapshot=${String(snapshot.rows[0]?.id)}`,
        "--no-password",
        `--dbname=${dbname}`,
      ],
      { env },
    );
    dumpStarted = true;
    const onAbort = () => dump.child.kill("SIGKILL");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const hashed = hashingStream(() => dump.exited);
    const stdout = dump.child.stdout;
    if (!stdout) throw new Error("pg_dump has no stdout");
    stdout.on("error", (e) => hashed.stream.destroy(e));
    stdout.pipe(hashed.stream);
    try {
      await store.upload(keys.dump, hashed.stream, uploadOptions(options));
      await dump.exited;
    } catch (error) {
      dump.child.kill("SIGKILL");
      throw error;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
    await db.query("commit");
    const { size, sha256 } = hashed.digest();
    const manifest: Manifest = manifestSchema.parse({
      format: manifestFormat,
      name,
      tenant: options.tenant,
      startedAt,
      finishedAt: now().toISOString(),
      key: keys.dump,
      size,
      sha256,
      postgresVersion,
      pgDumpVersion,
      schemaVersion: schema,
      tables,
    });
    options.signal?.throwIfAborted();
    await store.putText(keys.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } catch (error) {
    // An upload that completed before a later step failed must not be left looking like data.
    if (dumpStarted) await store.remove([keys.dump]).catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`backup ${name} failed: ${redact(message, databaseUrl)}`, { cause: error });
  } finally {
    await db.end().catch(() => undefined);
  }
}

function uploadOptions(options: BackupOptions): Parameters<ObjectStore["upload"]>[2] {
  const { signal, partSize, onProgress } = options;
  return {
    ...(signal ? { signal } : {}),
    ...(partSize ? { partSize } : {}),
    ...(onProgress ? { onProgress } : {}),
  };
}
