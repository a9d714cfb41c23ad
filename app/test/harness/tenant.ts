// Test fixture (imported by integration tests only, never by the app): whole fintrack instances,
// started as production starts them (startServer), each on its own database.
import pg from "pg";
import { pino } from "pino";
import { loadConfig } from "../../src/config.ts";
import { migrate } from "../../src/db/migrate.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { freePort } from "./process.ts";

/** A running instance: where it answers and how to stop it. */
export interface Tenant {
  base: string;
  running: RunningServer;
}

/**
 * Migrates `databaseUrl` and serves an instance on it with the given Redis, on loopback, so
 * tests see the composition root (createApi, createApp, the stores) exactly as deployed.
 */
export async function startTenant(options: {
  databaseUrl: string;
  redisUrl: string;
  baseUrl?: string;
  sessionSecret?: string;
}): Promise<Tenant> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  const port = await freePort();
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    VALIDATE_RESPONSES: "true",
    SESSION_SECRET: options.sessionSecret ?? "s".repeat(48),
    HOST: "127.0.0.1",
    PORT: String(port),
    METRICS_PORT: String(await freePort()),
    ...(options.baseUrl === undefined ? {} : { BASE_URL: options.baseUrl }),
  });
  const running = await startServer(config, pino({ level: "silent" }));
  const base = `http://127.0.0.1:${port}`;
  await untilReady(base);
  return { base, running };
}

/** Redis connects lazily: the instance takes traffic once /readyz says so. */
async function untilReady(base: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await fetch(`${base}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`${base} never became ready`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
