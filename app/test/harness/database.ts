import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import "./context.ts";
import { postgresUrl, query } from "./postgres.ts";

/** A database of its own for one test file. `url` is filled in before the file's tests run. */
export interface TestDatabase {
  name: string;
  url: string;
}

/**
 * Gives the calling test file an empty database on the shared test server, created before its
 * tests and dropped after them, so files never see each other's rows and can run in parallel.
 */
export function useTestDatabase(): TestDatabase {
  const server = inject("postgres");
  const db: TestDatabase = { name: `test_${randomBytes(6).toString("hex")}`, url: "" };
  beforeAll(async () => {
    await query(server, "postgres", `create database ${db.name}`);
    db.url = postgresUrl(server, db.name);
  });
  afterAll(async () => {
    // A pool's end() can resolve before its connections are gone on the server; forcing the drop
    // then kills them, and the client emits an error nobody listens to any more. Wait first.
    for (let i = 0; i < 50; i++) {
      const { rows } = await query(
        server,
        "postgres",
        `select count(*)::int as n from pg_stat_activity where datname = '${db.name}'`,
      );
      if ((rows[0] as { n: number } | undefined)?.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await query(server, "postgres", `drop database if exists ${db.name} with (force)`);
  });
  return db;
}

/** A key prefix of its own for one test file, so files sharing the Redis server never collide. */
export function useRedisPrefix(): { url: string; prefix: string } {
  return { url: inject("redis").url, prefix: `test:${randomBytes(6).toString("hex")}:` };
}
