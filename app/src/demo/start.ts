import { dirname } from "node:path";
import { createPool } from "../db/pool.ts";
import type { Logger } from "pino";
import { migrate } from "../db/migrate.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import { seedDemo, type SeedResult } from "./seed.ts";
import { DEMO_PASSWORD, DEMO_USERS } from "./seed-data.ts";

/** What startDemoDatabase needs. */
export interface DemoDatabaseOptions {
  /** The cluster's folder, `.data/postgres` in the repo. */
  dataDir: string;
  /** PostgreSQL's port; a free one when omitted. */
  port?: number;
  /** The last day of the demo's year of transactions, YYYY-MM-DD, when it seeds. */
  today: string;
  log: Pick<Logger, "info" | "debug" | "warn">;
}

/** The demo's database, migrated and seeded, and how to stop it. */
export interface DemoDatabase {
  url: string;
  /** Whether this start created the cluster; false when an earlier run's data was reused. */
  created: boolean;
  seed: SeedResult;
  stop: () => Promise<void>;
}

/**
 * Starts the demo's embedded PostgreSQL, brings its schema up to date and seeds the demo
 * household when the database has no users yet. Stops PostgreSQL again if any step fails.
 */
export async function startDemoDatabase(options: DemoDatabaseOptions): Promise<DemoDatabase> {
  const { log } = options;
  const postgres = await startEmbeddedPostgres({
    dataDir: options.dataDir,
    ...(options.port === undefined ? {} : { port: options.port }),
    log,
  });
  try {
    const pool = createPool({ connectionString: postgres.url, max: 2 }, (error, where) => {
      log.warn({ error, where }, "a PostgreSQL connection failed");
    });
    try {
      await migrate(pool, {
        log: (message) => {
          log.info(message);
        },
      });
      const seed = await seedDemo(pool, options.today);
      if (seed.seeded) {
        log.info(
          `seeded the demo household: ${seed.accounts} accounts, ${seed.categories} categories, ${seed.transactions} transactions up to ${options.today}`,
        );
      }
      return { url: postgres.url, created: postgres.created, seed, stop: postgres.stop };
    } finally {
      await pool.end();
    }
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

/** What the demo prints once it serves: where to go, how to sign in, where the data is. */
export function demoBanner(info: { appUrl: string; dataDir: string }): string {
  const [owner, ...others] = DEMO_USERS;
  return [
    "",
    "  fintrack demo is running",
    "",
    `  open      ${info.appUrl}`,
    `  sign in   ${owner?.email ?? ""}  /  ${DEMO_PASSWORD}`,
    ...others.map((u) => `            ${u.email} (${u.role}), same password`),
    `  data      ${dirname(info.dataDir)}/ (PostgreSQL 18, kept between runs)`,
    "  reset     make demo-reset, or delete that folder",
    "  stop      Ctrl+C",
    "",
  ].join("\n");
}
