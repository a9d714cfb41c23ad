import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { useTestDatabase } from "../harness/database.ts";

describe("the test PostgreSQL server", () => {
  const db = useTestDatabase();
  let pool: pg.Pool;

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
  });
  afterAll(async () => {
    await pool.end();
  });

  it("is a real PostgreSQL server of a supported major version", async () => {
    const { rows } = await pool.query<{ server_version_num: string }>("show server_version_num");
    const major = Math.floor(Number(rows[0]?.server_version_num) / 10_000);
    expect(major).toBeGreaterThanOrEqual(15);
    expect(inject("postgres").version).toContain(String(major));
  });

  it("applies migration-style DDL inside a transaction", async () => {
    const client = await pool.connect();
    try {
      await client.query("begin");
      await client.query(`create table ledger (
        id bigint generated always as identity primary key,
        amount_minor bigint not null,
        booked_on date not null
      )`);
      await client.query("create index ledger_booked_on on ledger (booked_on desc, id desc)");
      await client.query("commit");
    } finally {
      client.release();
    }
    const { rows } = await pool.query<{ indexname: string }>(
      "select indexname from pg_indexes where tablename = 'ledger' order by indexname",
    );
    expect(rows.map((r) => r.indexname)).toEqual(["ledger_booked_on", "ledger_pkey"]);
  });

  it("commits and rolls back, keeping bigint minor units exact", async () => {
    const huge = 9_007_199_254_740_993n; // 2^53 + 1: a float would round it
    const client = await pool.connect();
    try {
      await client.query("begin");
      await client.query("insert into ledger (amount_minor, booked_on) values ($1, '2026-01-31')", [
        huge.toString(),
      ]);
      await client.query("commit");
      await client.query("begin");
      await client.query("insert into ledger (amount_minor, booked_on) values (1, '2026-02-01')");
      await client.query("rollback");
    } finally {
      client.release();
    }
    const { rows } = await pool.query<{ amount_minor: string; booked_on: string }>(
      "select amount_minor, to_char(booked_on, 'YYYY-MM-DD') as booked_on from ledger",
    );
    expect(rows).toEqual([{ amount_minor: huge.toString(), booked_on: "2026-01-31" }]);
  });

  it("gives each test file a database of its own", async () => {
    const { rows } = await pool.query<{ db: string }>("select current_database() as db");
    expect(rows[0]?.db).toBe(db.name);
  });
});
