import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness/database.ts";
import { toProblem } from "../errors.ts";
import { createPool } from "./pool.ts";

const db = useTestDatabase();

describe("createPool", () => {
  it("survives PostgreSQL ending a connection that is checked out between two queries", async () => {
    const problems: string[] = [];
    const pool = createPool({ connectionString: db.url, max: 2 }, (message, where) =>
      problems.push(`${where}: ${message}`),
    );
    const admin = createPool({ connectionString: db.url, max: 1 });
    const client = await pool.connect();
    try {
      await client.query("begin");
      const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
      // As PostgreSQL's shutdown does to every backend while a transaction waits on other work.
      await admin.query("select pg_terminate_backend($1)", [rows[0]?.pid]);
      await expect
        .poll(() => problems[0], { timeout: 5_000 })
        .toMatch(/^checked out: terminating connection/);
      const failed = await client.query("select 1").catch((error: unknown) => error);
      expect(String(failed)).toMatch(/not queryable|terminat/);
      // The request that met it answers 503 with Retry-After (a 500 on the real node before).
      expect(toProblem(failed).problem.status).toBe(503);
    } finally {
      client.release();
    }
    // The dead client was discarded; the next query gets a fresh connection.
    const { rows: fresh } = await pool.query<{ one: number }>("select 1 as one");
    expect(fresh).toEqual([{ one: 1 }]);
    expect(pool.totalCount).toBe(1);
    await Promise.all([pool.end(), admin.end()]);
  });
});
