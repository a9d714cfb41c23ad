// Bank file import at scale: seeds an account with 1,000,000 transactions into a private
// PostgreSQL, starts the real app (node app/src/main.ts) and imports a 1,000,000-row CSV through
// the API (multipart upload, then commit); then loads the same rows into the same indexed table
// with `psql \copy` as the baseline, in the same run. Prints both times and their ratio, the
// app's peak RSS (VmHWM) and the time to re-import 100,000 rows that are all duplicates.
// Prints figures, asserts nothing.
// Usage: npm run bench:import [-- --rows 1000000 --existing 1000000 --duplicates 100000]
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, openAsBlob, readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { migrate } from "../src/db/migrate.ts";
import { postgresUrl, startPostgres } from "../test/harness/postgres.ts";
import { freePort, waitFor } from "../test/harness/process.ts";
import { startRedis } from "../test/harness/redis.ts";
import { seedLedger } from "./seed.ts";
import { json, ownerToken, startNode, stopChildren } from "./support.ts";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    existing: { type: "string", default: "1000000" },
    duplicates: { type: "string", default: "100000" },
    psql: { type: "string", default: "/usr/lib/postgresql/15/bin/psql" },
  },
});
const rows = Number(args.rows);
const existing = Number(args.existing);
const duplicateRows = Math.min(rows, Number(args.duplicates));

const payees = ["Rewe", "Lidl", "Aral", "IKEA", "Spotify", "Edeka", "Shell", "Amazon"];

/** The i-th imported row: dates in 2026, after the seeded five years, so none has a hand twin. */
function row(i: number): { date: string; payee: string; memo: string; amount: string } {
  const day = new Date(Date.UTC(2026, 0, 1) + (i % 300) * 86_400_000).toISOString().slice(0, 10);
  const cents = ((i * 7919) % 20_000) + 1;
  const amount = `-${String(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, "0")}`;
  return { date: day, payee: payees[i % payees.length] ?? "", memo: `r${String(i)}`, amount };
}

/** Writes `count` rows as the bank CSV and, when `accountId` is given, as COPY text for psql. */
async function writeFiles(
  csvPath: string,
  count: number,
  copy?: { path: string; accountId: string },
): Promise<void> {
  const csv = createWriteStream(csvPath);
  const text = copy ? createWriteStream(copy.path) : undefined;
  csv.write("Date,Payee,Description,Amount\n");
  for (let done = 0; done < count; done += 10_000) {
    let a = "";
    let b = "";
    for (let i = done; i < Math.min(count, done + 10_000); i++) {
      const r = row(i);
      a += `${r.date},${r.payee},${r.memo},${r.amount}\n`;
      if (copy)
        b += `${copy.accountId}\t${r.date}\t${r.amount.replace(".", "")}\tEUR\t${r.payee}\t${r.memo}\n`;
    }
    if (!csv.write(a)) await once(csv, "drain");
    if (text && !text.write(b)) await once(text, "drain");
  }
  csv.end();
  text?.end();
  await Promise.all([finished(csv), text ? finished(text) : undefined]);
}

/** Uploads and commits a file through the API; returns the commit's counts and the seconds. */
async function importFile(
  api: string,
  token: string,
  accountId: string,
  path: string,
): Promise<{ imported: number; duplicates: number; seconds: number }> {
  const headers = { authorization: `Bearer ${token}` };
  const started = performance.now();
  const form = new FormData();
  form.set("accountId", accountId);
  form.set("file", await openAsBlob(path, { type: "text/csv" }), "statement.csv");
  const { id } = await json<{ id: string }>(
    await fetch(`${api}/imports`, { method: "POST", headers, body: form }),
  );
  const result = await json<{ imported: number; duplicates: number }>(
    await fetch(`${api}/imports/${id}/commit`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: "{}",
    }),
  );
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** The peak resident set of a process in MB, from /proc (Linux). */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, "utf8");
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) / 1024;
}

const folder = mkdtempSync(join(tmpdir(), "fintrack-import-bench-"));
const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
try {
  const databaseUrl = postgresUrl(postgres, "postgres");
  const pool = new pg.Pool({ connectionString: databaseUrl });
  await migrate(pool);
  const seedStarted = performance.now();
  const seeded = await seedLedger(pool, { accounts: 1, transactions: existing });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const accountId = seeded.accountIds[0] ?? "";
  const full = join(folder, "full.csv");
  const copyPath = join(folder, "full.copy");
  const again = join(folder, "again.csv");
  await writeFiles(full, rows, { path: copyPath, accountId });
  await writeFiles(again, duplicateRows);

  // Migrations added while the seed ran (the tree may be shared) would keep the app unready.
  await migrate(pool);
  const [appPort, metricsPort] = await Promise.all([freePort(), freePort()]);
  const app = startNode(new URL("../src/main.ts", import.meta.url), {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    SESSION_SECRET: randomBytes(32).toString("hex"),
    PORT: String(appPort),
    METRICS_PORT: String(metricsPort),
    LOG_LEVEL: "warn",
    FINTRACK_BASE_CURRENCY: "EUR",
  });
  const base = `http://127.0.0.1:${String(appPort)}`;
  await waitFor("the app", async () => json(await fetch(`${base}/readyz`)));
  const token = await ownerToken(base, "write");
  const api = `${base}/api/v1`;

  const first = await importFile(api, token, accountId, full);
  const repeat = await importFile(api, token, accountId, again);
  const rss = app.pid === undefined ? Number.NaN : peakRssMb(app.pid);

  // The baseline: the same rows straight into the same table (same indexes and triggers) by
  // psql. It runs after the import, so its table already holds the imported million too; its
  // rows carry no fingerprint, which only the app computes.
  const copyStarted = performance.now();
  execFileSync(args.psql, [
    databaseUrl,
    "-v",
    "ON_ERROR_STOP=1",
    "-qc",
    `\\copy transactions (account_id, booking_date, amount, currency, payee, description) from '${copyPath}'`,
  ]);
  const copySeconds = (performance.now() - copyStarted) / 1000;
  await pool.end();

  console.log(
    `\nfintrack bench:import — ${rows.toLocaleString("en")} CSV rows into an account holding about ${existing.toLocaleString("en")} transactions (seeded in ${seedSeconds.toFixed(1)} s, ${postgres.version})`,
  );
  console.log(
    `  API upload + commit        ${first.seconds.toFixed(1).padStart(7)} s   imported ${String(first.imported)}, duplicates ${String(first.duplicates)}`,
  );
  console.log(`  psql \\copy, same rows      ${copySeconds.toFixed(1).padStart(7)} s`);
  console.log(
    `  ratio                      ${(first.seconds / copySeconds).toFixed(2).padStart(7)} x   (target <= 2x)`,
  );
  console.log(`  app peak RSS (VmHWM)       ${rss.toFixed(0).padStart(7)} MB  (target <= 300 MB)`);
  console.log(
    `  re-import ${duplicateRows.toLocaleString("en")} duplicates ${repeat.seconds.toFixed(2).padStart(7)} s   imported ${String(repeat.imported)}, duplicates ${String(repeat.duplicates)}  (target <= 3 s, 0 new)`,
  );
} catch (error) {
  console.error("bench:import failed:", error);
  process.exitCode = 1;
} finally {
  await stopChildren();
  await Promise.all([postgres.stop(), redis.stop()]);
  rmSync(folder, { recursive: true, force: true });
  process.exit();
}
