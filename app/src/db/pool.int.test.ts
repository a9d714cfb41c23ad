import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness/database.ts";
import { query, startPostgres, type PostgresServer } from "../../test/harness/postgres.ts";
import { toProblem } from "../errors.ts";
import { urlThatOpens } from "./password-fallback.ts";
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

describe("createPool with the password a rotation replaces", () => {
  // A server that checks passwords, as production's does.
  let server: PostgresServer | undefined;
  const started = () => {
    if (!server) throw new Error("the server did not start");
    return server;
  };
  const old = randomBytes(12).toString("hex");
  const rotated = randomBytes(12).toString("hex");
  const setPassword = (password: string) =>
    query(started(), "postgres", `alter role ledger password '${password}'`);
  const urlWith = (password: string) =>
    `postgres://ledger:${password}@${started().host}:${started().port}/postgres`;

  beforeAll(async () => {
    server = await startPostgres(undefined, { passwordAuth: true });
    await query(server, "postgres", `create role ledger login password '${old}'`);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("opens every connection, before, during and after PostgreSQL switches passwords", async () => {
    await setPassword(old);
    // The app's new pods: the Secret's new password first, the one it replaces as the fallback.
    const pool = createPool({ connectionString: urlWith(rotated), max: 4 }, undefined, old);
    const fresh = async () => {
      // A new connection each time: the password is checked only when one opens.
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ who: string }>("select current_user as who");
        return rows[0]?.who;
      } finally {
        client.release(true);
      }
    };
    try {
      expect(await fresh()).toBe("ledger");
      const { rows } = await pool.query<{ one: number }>("select 1 as one");
      expect(rows).toEqual([{ one: 1 }]);
      // The rotation's last step: only the new password opens connections now.
      await setPassword(rotated);
      expect(await Promise.all([fresh(), fresh(), fresh()])).toEqual([
        "ledger",
        "ledger",
        "ledger",
      ]);
      expect(await fresh()).toBe("ledger");
    } finally {
      await pool.end();
    }
  });

  it("gives short-lived programs the URL whose password opens the database", async () => {
    await setPassword(old);
    expect(await urlThatOpens(urlWith(rotated), old)).toBe(urlWith(old));
    expect(await urlThatOpens(urlWith(rotated), undefined)).toBe(urlWith(rotated));
    await setPassword(rotated);
    expect(await urlThatOpens(urlWith(rotated), old)).toBe(urlWith(rotated));
  });

  it("still fails when neither password opens the database", async () => {
    await setPassword(randomBytes(12).toString("hex"));
    const pool = createPool({ connectionString: urlWith(rotated), max: 1 }, undefined, old);
    try {
      await expect(pool.query("select 1")).rejects.toMatchObject({ code: "28P01" });
    } finally {
      await pool.end();
    }
  });

  it("without a previous password, a refused password is refused (the control)", async () => {
    await setPassword(old);
    const pool = createPool({ connectionString: urlWith(rotated), max: 1 });
    try {
      await expect(pool.query("select 1")).rejects.toMatchObject({ code: "28P01" });
    } finally {
      await pool.end();
    }
  });
});
