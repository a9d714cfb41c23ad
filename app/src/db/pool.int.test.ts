import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness/database.ts";
import { toProblem } from "../errors.ts";
import { allowLongWork, boundedPoolConfig, createPool } from "./pool.ts";

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

  it("sets statement_timeout and idle_in_transaction_session_timeout on every pooled connection", async () => {
    const timeouts = { statementMs: 30_000, idleInTransactionMs: 60_000, databaseConnectMs: 5_000 };
    const pool = createPool({ connectionString: db.url, max: 2, ...boundedPoolConfig(timeouts) });
    try {
      const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
      for (const client of [a, b]) {
        const { rows } = await client.query<{ statement: string; idle: string }>(
          `select current_setting('statement_timeout') as statement,
                  current_setting('idle_in_transaction_session_timeout') as idle`,
        );
        expect(rows).toEqual([{ statement: "30s", idle: "1min" }]);
      }
      a.release();
      b.release();
      const { rows: shown } = await pool.query<{ statement_timeout: string }>(
        "show statement_timeout",
      );
      expect(shown).toEqual([{ statement_timeout: "30s" }]);
    } finally {
      await pool.end();
    }
  });

  it("cancels a statement past the limit, and lets long work raise it for its transaction only", async () => {
    const timeouts = { statementMs: 200, idleInTransactionMs: 60_000, databaseConnectMs: 5_000 };
    const pool = createPool({ connectionString: db.url, max: 1, ...boundedPoolConfig(timeouts) });
    try {
      const canceled = await pool.query("select pg_sleep(2)").catch((error: unknown) => error);
      expect(canceled).toMatchObject({ code: "57014" });
      expect(toProblem(canceled).problem.status).toBe(503);

      const client = await pool.connect();
      try {
        await client.query("begin");
        await allowLongWork(client);
        await client.query("select pg_sleep(0.5)");
        await client.query("commit");
        const { rows } = await client.query<{ statement_timeout: string }>(
          "show statement_timeout",
        );
        expect(rows).toEqual([{ statement_timeout: "200ms" }]);
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  });
});
