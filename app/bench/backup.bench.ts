// Backup and restore at a million transactions: seeds a private PostgreSQL (the system's, 15)
// with 1,000,000 transactions, then times, in the same run, plain `pg_dump | gzip > /dev/null`
// (the baseline), the backup program's backup into a local S3 server (moto, see
// hack/install-s3-server.sh), its verification and a restore into a new database; checks that
// the restore holds identical per-table row counts and sums of amounts. The restore's baseline is
// the plain way back from such a file: `gunzip -c dump.sql.gz | psql --single-transaction` into
// another empty database. Prints figures and both ratios (target >= 0.8); exits 1 only when the
// restored data differs.
// Usage: npm run bench:backup [-- --transactions 1000000]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { backup } from "../src/backup/backup.ts";
import { postgresBinDir, libpqEnv } from "../src/backup/postgres.ts";
import { restore } from "../src/backup/restore.ts";
import { s3Store } from "../src/backup/store.ts";
import { verify } from "../src/backup/verify.ts";
import { migrate } from "../src/db/migrate.ts";
import { postgresUrl, query, startPostgres } from "../test/harness/postgres.ts";
import { startS3 } from "../test/harness/s3.ts";
import { fingerprint, seedLedger } from "../test/backup/ledger.ts";

const { values: args } = parseArgs({
  options: { transactions: { type: "string", default: "1000000" } },
});
const transactions = Number(args.transactions);
const binDir = postgresBinDir();

async function timed<T>(
  what: string,
  fn: () => Promise<T>,
): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await fn();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${what}: ${seconds.toFixed(2)} s`);
  return { value, seconds };
}

/** `pg_dump | gzip > /dev/null`, as a shell would run it; resolves with gzip's output bytes. */
function dumpToGzip(url: string): Promise<number> {
  const { dbname, env } = libpqEnv(url);
  return new Promise((resolve, reject) => {
    const dump = spawn(join(binDir, "pg_dump"), [`--dbname=${dbname}`], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const gzip = spawn("gzip", ["-c"], { stdio: ["pipe", "pipe", "inherit"] });
    dump.stdout.pipe(gzip.stdin);
    let bytes = 0;
    gzip.stdout.on("data", (c: Buffer) => (bytes += c.length));
    gzip.on("close", (code) => {
      if (code === 0) resolve(bytes);
      else reject(new Error(`gzip exited ${String(code)}`));
    });
    dump.on("close", (code) => {
      if (code !== 0) reject(new Error(`pg_dump exited ${String(code)}`));
    });
  });
}

/** `pg_dump | gzip > file`, untimed: the file the restore baseline reads. */
function dumpToFile(url: string, file: string): Promise<void> {
  const { dbname, env } = libpqEnv(url);
  return run(["-c", `"${join(binDir, "pg_dump")}" --dbname="$DB" | gzip -c > "$FILE"`], {
    ...env,
    DB: dbname,
    FILE: file,
  });
}

/** `gunzip -c file | psql --single-transaction`: the plain restore of a pg_dump | gzip file. */
function restoreFromFile(url: string, file: string): Promise<void> {
  const { dbname, env } = libpqEnv(url);
  return run(
    [
      "-c",
      `gunzip -c "$FILE" | "${join(binDir, "psql")}" --quiet --no-psqlrc -v ON_ERROR_STOP=1 --single-transaction --dbname="$DB" > /dev/null`,
    ],
    { ...env, DB: dbname, FILE: file },
  );
}

// bash with pipefail, so a failing pg_dump or psql fails the step, not only the last command.
function run(argv: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-o", "pipefail", ...argv], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`bash ${argv.join(" ").slice(0, 80)} exited ${String(code)}`));
    });
  });
}

const folder = mkdtempSync(join(tmpdir(), "fintrack-backup-bench-"));
const postgres = await startPostgres(binDir);
const s3 = await startS3();
try {
  const bucket = "bench";
  await s3.createBucket(bucket);
  const store = s3Store(s3.config(bucket, "tenants/bench"));
  await query(postgres, "postgres", "create database source");
  await query(postgres, "postgres", "create database target");
  await query(postgres, "postgres", "create database baseline_target");
  const sourceUrl = postgresUrl(postgres, "source");
  const targetUrl = postgresUrl(postgres, "target");
  const source = new pg.Pool({ connectionString: sourceUrl, max: 2 });
  await migrate(source);
  await timed(`seed ${transactions.toLocaleString("en")} transactions`, () =>
    seedLedger(source, transactions),
  );
  const before = await fingerprint(source);

  const baseline = await timed("pg_dump | gzip > /dev/null", () => dumpToGzip(sourceUrl));
  const backedUp = await timed("backup (pg_dump -Fc -Z1 -> sha256 -> S3 multipart)", () =>
    backup({
      store,
      databaseUrl: sourceUrl,
      tenant: "bench",
      name: `bench-${randomBytes(3).toString("hex")}`,
      binDir,
    }),
  );
  const verified = await timed("verify (restore into a throwaway server, count rows)", () =>
    verify({ store, manifest: backedUp.value, binDir }),
  );
  const restored = await timed("restore (S3 -> checksum -> pg_restore, one transaction)", () =>
    restore({ store, manifest: backedUp.value, databaseUrl: targetUrl, binDir }),
  );
  const dumpFile = join(folder, "dump.sql.gz");
  await dumpToFile(sourceUrl, dumpFile);
  const baselineRestore = await timed("gunzip -c dump.sql.gz | psql --single-transaction", () =>
    restoreFromFile(postgresUrl(postgres, "baseline_target"), dumpFile),
  );
  const target = new pg.Pool({ connectionString: targetUrl, max: 2 });
  const after = await fingerprint(target);
  await Promise.all([source.end(), target.end()]);

  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  const ratio = baseline.seconds / backedUp.seconds;
  console.log("");
  console.log(`rows: ${before.transactions} transactions, ${before.splits} splits`);
  console.log(`baseline: ${mb(baseline.value)} MiB gzip in ${baseline.seconds.toFixed(2)} s`);
  console.log(
    `backup:   ${mb(backedUp.value.size)} MiB stored in ${backedUp.seconds.toFixed(2)} s ` +
      `(${(transactions / backedUp.seconds).toFixed(0)} transactions/s)`,
  );
  console.log(`backup throughput vs baseline: ${(ratio * 100).toFixed(0)}% (target >= 80%)`);
  console.log(
    `verify:   ${verified.seconds.toFixed(2)} s, verified=${String(verified.value.verified)}`,
  );
  console.log(
    `restore:  ${restored.seconds.toFixed(2)} s ` +
      `(${(transactions / restored.seconds).toFixed(0)} transactions/s)`,
  );
  console.log(
    `restore throughput vs gunzip | psql (${baselineRestore.seconds.toFixed(2)} s): ` +
      `${((baselineRestore.seconds / restored.seconds) * 100).toFixed(0)}% (target >= 80%)`,
  );
  const identical = JSON.stringify(before) === JSON.stringify(after);
  console.log(`restored counts and sums identical: ${String(identical)}`);
  if (!identical || !verified.value.verified) {
    console.error({ before, after, problems: verified.value.problems });
    process.exitCode = 1;
  }
} finally {
  await s3.stop();
  await postgres.stop();
  rmSync(folder, { recursive: true, force: true });
}
