import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/harness/process.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import { demoHousehold } from "./seed-data.ts";
import { startDemoDatabase, type DemoDatabase } from "./start.ts";

const today = "2026-05-14";
const log = pino({ level: "silent" });

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

// The path `make demo` takes, on the embedded PostgreSQL 18 in a throwaway folder: as root
// (as in CI) PostgreSQL runs as the postgres system user, so the folder must let it in.
describe("the demo database (embedded PostgreSQL, migrated and seeded)", () => {
  let base: string;
  let dataDir: string;
  const running: DemoDatabase[] = [];

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "fintrack-demo-"));
    await chmod(base, 0o755);
    dataDir = join(base, ".data", "postgres");
  });
  afterAll(async () => {
    for (const db of running) await db.stop();
    await rm(base, { recursive: true, force: true });
  });

  it("creates the cluster, migrates, seeds the household and stops", async () => {
    const port = await freePort();
    const db = await startDemoDatabase({ dataDir, port, today, log });
    running.push(db);
    expect(db.created).toBe(true);
    expect(db.seed.seeded).toBe(true);
    expect(new URL(db.url).port).toBe(String(port));

    const [counts] = await query<{ users: number; transactions: number; version: string }>(
      db.url,
      `select (select count(*)::int from users) as users,
              (select count(*)::int from transactions) as transactions,
              current_setting('server_version_num') as version`,
    );
    expect(counts?.users).toBe(3);
    expect(counts?.transactions).toBe(demoHousehold(today).transactions.length);
    expect(Number(counts?.version)).toBeGreaterThanOrEqual(180000);
    await query(db.url, "insert into categories (name, kind) values ('Added by hand', 'expense')");

    await db.stop();
    expect(existsSync(join(dataDir, "postmaster.pid"))).toBe(false);
    expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(true);
  });

  it("reuses the cluster and its data on the next start, seeding nothing", async () => {
    const db = await startDemoDatabase({ dataDir, today: "2026-07-01", log });
    running.push(db);
    expect(db.created).toBe(false);
    expect(db.seed.seeded).toBe(false);
    const [row] = await query<{ users: number; added: number }>(
      db.url,
      `select (select count(*)::int from users) as users,
              (select count(*)::int from categories where name = 'Added by hand') as added`,
    );
    expect(row).toEqual({ users: 3, added: 1 });
  });

  it("refuses to start a second server on a cluster that is running", async () => {
    await expect(startEmbeddedPostgres({ dataDir, log })).rejects.toThrow(
      /PostgreSQL is already running on .* \(pid \d+\)/,
    );
  });

  it.runIf(process.getuid?.() === 0)(
    "explains, as root, that the postgres user cannot enter a closed folder",
    async () => {
      const closed = join(base, "closed");
      await mkdir(closed, { mode: 0o700 });
      await expect(startEmbeddedPostgres({ dataDir: join(closed, "pg"), log })).rejects.toThrow(
        `cannot enter ${closed} (mode 0700): allow it with \`chmod o+x ${closed}\``,
      );
    },
  );
});
