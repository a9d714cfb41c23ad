import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRedisPrefix, useTestDatabase } from "../../test/harness/database.ts";
import {
  postgresUrl,
  query,
  startPostgres,
  type PostgresInfo,
  type PostgresServer,
} from "../../test/harness/postgres.ts";
import { freePort } from "../../test/harness/process.ts";
import { checkMetrics } from "../../test/harness/promtool.ts";
import { loadConfig } from "../config.ts";
import { startServer, type RunningServer } from "../server.ts";
import { migrate } from "./migrate.ts";
import { createPool } from "./pool.ts";
import { postgresMetrics, STATISTICS_TIMEOUT_MS } from "./metrics.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value of one sample line `name{labels} value` of an exposition, or undefined. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The sum of every sample of `name` across its labels. */
function total(exposition: string, name: string): number {
  return exposition
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

/** The app as main.ts runs it, on `databaseUrl`; answers its /metrics URL and its handle. */
async function startApp(
  databaseUrl: string,
  redisUrl: string,
): Promise<{ running: RunningServer; metricsUrl: string }> {
  const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
  const running = await startServer(
    loadConfig({
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      SESSION_SECRET: "p".repeat(48),
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
    }),
    pino({ level: "silent" }),
  );
  return { running, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/** One scrape, and how long it took to answer. */
async function scrape(url: string): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, ms: Date.now() - started };
}

/** Scrapes until `check` holds of the exposition, for up to 15 s (statistics flush within 1 s). */
async function scrapeUntil(url: string, check: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { text } = await scrape(url);
    if (check(text)) return text;
    if (Date.now() > deadline) return text;
    await sleep(250);
  }
}

// The real server's /metrics on the shared test PostgreSQL: figures read from the server itself.
describe("PostgreSQL's figures on the app's /metrics", () => {
  const db = useTestDatabase();
  const { url: redisUrl } = useRedisPrefix();
  let app: { running: RunningServer; metricsUrl: string };

  beforeAll(async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await migrate(pool);
    await pool.end();
    app = await startApp(db.url, redisUrl);
  });
  afterAll(async () => {
    await app.running.shutdown(1000);
  });

  it("reports the database's size, the server's limit and its own connection", async () => {
    const { text } = await scrape(app.metricsUrl);
    expect(checkMetrics(text)).toEqual({ status: 0, problems: [] });
    expect(sample(text, "fintrack_postgres_up")).toBe(1);
    const client = new pg.Client(db.url);
    await client.connect();
    const { rows } = await client
      .query<{ max: number; size: number }>(
        "select current_setting('max_connections')::int as max, pg_database_size(current_database())::float8 as size",
      )
      .finally(() => client.end());
    const server = rows[0] ?? { max: -1, size: -1 };
    expect(sample(text, "fintrack_postgres_max_connections")).toBe(server.max);
    const size = sample(text, "fintrack_postgres_database_size_bytes") ?? 0;
    // The migrated schema: megabytes, give or take what the app wrote since.
    expect(size).toBeGreaterThan(1_000_000);
    expect(Math.abs(size - server.size)).toBeLessThan(server.size * 0.1);
    // The statistics' own connection is one, running the very query that counts it.
    expect(sample(text, 'fintrack_postgres_connections{state="active"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, "fintrack_postgres_blocks_hit_total")).toBeGreaterThan(0);
    expect(sample(text, "fintrack_postgres_pool_max_connections")).toBe(20);
  });

  it("counts a transaction left open and how long it has been open", async () => {
    const before = await scrape(app.metricsUrl);
    const waiting = sample(
      before.text,
      'fintrack_postgres_connections{state="idle in transaction"}',
    );
    const client = new pg.Client({ connectionString: db.url, application_name: "forgotten" });
    await client.connect();
    try {
      await client.query("begin");
      await client.query("select 1");
      await sleep(1500);
      const { text } = await scrape(app.metricsUrl);
      expect(sample(text, 'fintrack_postgres_connections{state="idle in transaction"}')).toBe(
        (waiting ?? 0) + 1,
      );
      const age = sample(text, "fintrack_postgres_oldest_transaction_age_seconds") ?? 0;
      expect(age).toBeGreaterThanOrEqual(1.5);
      expect(age).toBeLessThan(30);
      await client.query("rollback");
    } finally {
      await client.end();
    }
    const after = await scrapeUntil(
      app.metricsUrl,
      (t) => (sample(t, "fintrack_postgres_oldest_transaction_age_seconds") ?? 99) < 1.5,
    );
    expect(sample(after, "fintrack_postgres_oldest_transaction_age_seconds")).toBeLessThan(1.5);
  });

  it("counts commits, rollbacks and a deadlock as PostgreSQL does", async () => {
    const counter = (t: string, name: string) => sample(t, `fintrack_postgres_${name}_total`) ?? 0;
    const { text: first } = await scrape(app.metricsUrl);
    const [commits, rollbacks, deadlocks] = ["commits", "rollbacks", "deadlocks"].map((n) =>
      counter(first, n),
    );

    const [a, b] = [new pg.Client(db.url), new pg.Client(db.url)];
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query("create table metrics_deadlock (id int primary key, v int)");
      await a.query("insert into metrics_deadlock values (1, 0), (2, 0)");
      for (let i = 0; i < 3; i++) await a.query("begin; select 1; commit");
      for (let i = 0; i < 2; i++) await a.query("begin; select 1; rollback");
      // Each takes one row, then wants the other's: PostgreSQL ends one of them (40P01).
      await a.query("begin; update metrics_deadlock set v = 1 where id = 1");
      await b.query("begin; update metrics_deadlock set v = 1 where id = 2");
      const outcomes = await Promise.allSettled([
        a.query("update metrics_deadlock set v = 2 where id = 2"),
        b.query("update metrics_deadlock set v = 2 where id = 1"),
      ]);
      const codes = outcomes.map((o) =>
        o.status === "rejected" ? (o.reason as { code?: string }).code : "done",
      );
      expect(codes.sort()).toEqual(["40P01", "done"]);
      await Promise.all([a.query("rollback"), b.query("rollback")]);
      await a.query("drop table metrics_deadlock");
    } finally {
      // A backend flushes its statistics when it ends, so the counters see all of the above.
      await Promise.all([a.end(), b.end()]);
    }

    const text = await scrapeUntil(
      app.metricsUrl,
      (t) =>
        counter(t, "commits") >= (commits ?? 0) + 3 &&
        counter(t, "rollbacks") >= (rollbacks ?? 0) + 4 &&
        counter(t, "deadlocks") >= (deadlocks ?? 0) + 1,
    );
    expect(counter(text, "commits")).toBeGreaterThanOrEqual((commits ?? 0) + 3);
    // Two rollbacks asked for, the deadlock's victim and its partner rolled back too.
    expect(counter(text, "rollbacks")).toBeGreaterThanOrEqual((rollbacks ?? 0) + 4);
    expect(counter(text, "deadlocks")).toBe((deadlocks ?? 0) + 1);
  });
});

describe("the app pool's figures", () => {
  const db = useTestDatabase();

  it("counts connections in use, idle and the checkouts queued behind them", async () => {
    const registry = new Registry();
    const pool = createPool({ connectionString: db.url, max: 2 });
    const metrics = postgresMetrics(registry, {
      databaseUrl: db.url,
      previousPassword: undefined,
      pool,
      problem: () => undefined,
      unavailable: () => undefined,
    });
    try {
      const held = await Promise.all([pool.connect(), pool.connect()]);
      const queued = pool.connect();
      const text = await registry.metrics();
      expect(sample(text, 'fintrack_postgres_pool_connections{state="in_use"}')).toBe(2);
      expect(sample(text, 'fintrack_postgres_pool_connections{state="idle"}')).toBe(0);
      expect(sample(text, "fintrack_postgres_pool_waiting_checkouts")).toBe(1);
      expect(sample(text, "fintrack_postgres_pool_max_connections")).toBe(2);
      // The statistics' own connection is not the app's: it answered though the pool is full.
      expect(sample(text, "fintrack_postgres_up")).toBe(1);
      expect(total(text, "fintrack_postgres_connections")).toBeGreaterThanOrEqual(3);
      for (const client of held) client.release();
      (await queued).release();
      const after = await registry.metrics();
      expect(sample(after, 'fintrack_postgres_pool_connections{state="idle"}')).toBe(2);
      expect(sample(after, "fintrack_postgres_pool_waiting_checkouts")).toBe(0);
    } finally {
      await Promise.all([metrics.close(), pool.end()]);
    }
  });
});

/** The processes of a PostgreSQL server: its postmaster (a backend's parent) and its children. */
async function serverProcesses(server: PostgresInfo): Promise<number[]> {
  const parentOf = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (command) state ppid ...", the command possibly holding spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  };
  // The backend is read while its connection is open: once closed, it ends, and so does its
  // /proc entry (CI met that race).
  const client = new pg.Client({ connectionString: postgresUrl(server, "postgres") });
  await client.connect();
  let postmaster: number;
  try {
    const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    postmaster = parentOf(rows[0]?.pid ?? 0);
  } finally {
    await client.end();
  }
  const children = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return parentOf(pid) === postmaster;
      } catch {
        return false; // ended meanwhile
      }
    });
  return [postmaster, ...children];
}

/** Sends `sig` to each process still there (the backend of the lookup itself is ending). */
function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch (error) {
      if ((error as { code?: string }).code !== "ESRCH") throw error;
    }
  }
}

// A PostgreSQL of its own, since it stops and freezes it.
describe("/metrics while PostgreSQL is away", () => {
  const { url: redisUrl } = useRedisPrefix();
  let postgres: PostgresServer;
  let app: { running: RunningServer; metricsUrl: string };

  beforeAll(async () => {
    postgres = await startPostgres();
    await query(postgres, "postgres", "create database away");
    app = await startApp(postgresUrl(postgres, "away"), redisUrl);
    expect(sample((await scrape(app.metricsUrl)).text, "fintrack_postgres_up")).toBe(1);
  });
  afterAll(async () => {
    await app.running.shutdown(1000);
    await postgres.stop();
  });

  /** What a scrape without PostgreSQL must be: prompt, up at 0, no stale server figures. */
  function expectAnsweredWithout(scraped: { text: string; ms: number }, withinMs: number) {
    expect(scraped.ms).toBeLessThan(withinMs);
    expect(sample(scraped.text, "fintrack_postgres_up")).toBe(0);
    expect(sample(scraped.text, "fintrack_postgres_database_size_bytes")).toBeUndefined();
    expect(sample(scraped.text, "fintrack_postgres_commits_total")).toBeUndefined();
    expect(total(scraped.text, "fintrack_postgres_connections")).toBe(0);
    // The rest of the app's metrics are still there.
    expect(sample(scraped.text, "fintrack_postgres_pool_max_connections")).toBe(20);
    expect(sample(scraped.text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(checkMetrics(scraped.text)).toEqual({ status: 0, problems: [] });
  }

  it("answers at once with up at 0 while PostgreSQL is stopped, and 1 once it is back", async () => {
    await postgres.halt();
    try {
      // Refused connections fail at once: no waiting for the timeout.
      expectAnsweredWithout(await scrape(app.metricsUrl), 1000);
      expectAnsweredWithout(await scrape(app.metricsUrl), 1000);
    } finally {
      await postgres.restart();
    }
    const back = await scrapeUntil(app.metricsUrl, (t) => sample(t, "fintrack_postgres_up") === 1);
    expect(sample(back, "fintrack_postgres_up")).toBe(1);
    expect(sample(back, "fintrack_postgres_database_size_bytes")).toBeGreaterThan(0);
  });

  it("answers within its timeout with up at 0 while PostgreSQL is frozen, and 1 once it thaws", async () => {
    // Frozen, the server accepts TCP connections (the kernel does) and answers nothing, on new
    // connections as on the one the statistics keep open.
    const pids = await serverProcesses(postgres);
    signal(pids, "SIGSTOP");
    try {
      expectAnsweredWithout(await scrape(app.metricsUrl), STATISTICS_TIMEOUT_MS + 1000);
      // The connection the first scrape gave up on does not hold the next one up.
      expectAnsweredWithout(await scrape(app.metricsUrl), STATISTICS_TIMEOUT_MS + 1000);
    } finally {
      signal(pids, "SIGCONT");
    }
    const back = await scrapeUntil(app.metricsUrl, (t) => sample(t, "fintrack_postgres_up") === 1);
    expect(sample(back, "fintrack_postgres_up")).toBe(1);
  });
});
