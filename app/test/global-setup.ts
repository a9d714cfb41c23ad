import type { TestProject } from "vitest/node";
import "./harness/context.ts";
import { startPostgres } from "./harness/postgres.ts";
import { startRedis } from "./harness/redis.ts";

/** Starts one private PostgreSQL and one Redis for the app's integration tests, and stops them after. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
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
