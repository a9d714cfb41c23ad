import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresUrl, query, startPostgres, type PostgresServer } from "../harness/postgres.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import {
  aHousehold,
  type AppProcess,
  type Household,
  migrateDatabase,
  startAppProcess,
} from "./app-process.ts";
import {
  checkLedger,
  figuresOf,
  steadyWrites,
  type Traffic,
  type TrafficReport,
  unavailableWithoutRetryAfter,
} from "./steady-writes.ts";

// The app's bounds on waiting, shortened so each fault shows within seconds. No request may take
// longer than the longest chain of them: a Redis command, a pool checkout, a statement.
const timeouts = {
  DATABASE_CONNECT_TIMEOUT_SECONDS: "2",
  DATABASE_STATEMENT_TIMEOUT_SECONDS: "4",
  REDIS_COMMAND_TIMEOUT_MS: "500",
  REDIS_CONNECT_TIMEOUT_SECONDS: "2",
};
const longestAnswerMs = 500 + 2000 + 4000 + 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Its own PostgreSQL and Redis, since it terminates, stops and freezes them.
describe("faults of PostgreSQL and Redis under a steady stream of writes (the app as a process)", () => {
  let postgres: PostgresServer;
  let redis: RedisServer;
  let app: AppProcess;
  let household: Household;
  let databaseUrl = "";

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
    await query(postgres, "postgres", "create database faults");
    databaseUrl = postgresUrl(postgres, "faults");
    await migrateDatabase(databaseUrl);
    app = await startAppProcess({ databaseUrl, redisUrl: redis.url, env: timeouts });
    household = await aHousehold(app.base);
  });
  afterAll(async () => {
    app.kill("SIGKILL");
    await Promise.all([postgres.stop(), redis.stop()]);
  });

  const writes = (label: string): Traffic =>
    steadyWrites({
      base: app.base,
      session: household.session,
      accountId: household.accountIds[0] ?? "",
      label,
      hangMs: longestAnswerMs + 5000,
    });

  /**
   * What every fault must leave: the process alive and answering, every acknowledged booking
   * stored once, none stored twice, every refusal a 503 with Retry-After (or a 409 for a retry
   * while its first attempt runs), none hung, every booking answered in the end, and bookings
   * acknowledged again after the fault.
   */
  async function expectSurvived(label: string, report: TrafficReport, faultEndedAt: number) {
    const figures = figuresOf(report);
    console.log(`fault suite, ${label}:`, JSON.stringify(figures));
    expect(app.alive(), app.output()).toBe(true);
    expect((await fetch(`${app.base}/healthz`)).status).toBe(200);
    expect(await checkLedger(databaseUrl, report)).toEqual({ lost: [], doubled: [] });
    expect(figures.unexpected, app.output()).toEqual({});
    expect(figures.refused + figures.reset + figures.timeout).toBe(0);
    expect(unavailableWithoutRetryAfter(report)).toEqual([]);
    expect(figures.maxLatencyMs).toBeLessThan(longestAnswerMs);
    // A 503 means "not applied, send it again", so the retries of each booking end acknowledged,
    // or told that it was applied and its answer lost (a write committed as the database left).
    expect(report.bookings.filter((b) => !b.acknowledged && !b.applied)).toEqual([]);
    const recovered = report.attempts.filter((a) => a.outcome === 201 && a.at > faultEndedAt);
    expect(recovered.length).toBeGreaterThan(0);
    return figures;
  }

  it("survives PostgreSQL terminating every connection of the app mid-traffic", async () => {
    const traffic = writes("terminated");
    await sleep(1500);
    for (let i = 0; i < 5; i++) {
      await query(
        postgres,
        "postgres",
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = 'faults'",
      );
      await sleep(300);
    }
    const faultEndedAt = Date.now();
    await sleep(2000);
    const report = await traffic.stop();
    await expectSurvived("PostgreSQL backends terminated", report, faultEndedAt);
  }, 60_000);

  it("survives PostgreSQL stopping and starting again mid-traffic", async () => {
    const traffic = writes("restarted");
    await sleep(1000);
    await postgres.halt();
    await sleep(3000);
    await postgres.restart();
    const faultEndedAt = Date.now();
    await sleep(2000);
    const report = await traffic.stop();
    const figures = await expectSurvived("PostgreSQL stopped and restarted", report, faultEndedAt);
    expect(figures.unavailable503).toBeGreaterThan(0);
  }, 60_000);

  it("answers 503 within the Redis timeout while Redis is frozen, and recovers", async () => {
    const traffic = writes("frozen");
    await sleep(1000);
    const frozenAt = Date.now();
    redis.freeze();
    await sleep(3000);
    redis.thaw();
    const faultEndedAt = Date.now();
    await sleep(2000);
    const report = await traffic.stop();
    const figures = await expectSurvived("Redis frozen", report, faultEndedAt);
    // Sent while frozen: answered within the Redis command timeout, not held until the thaw.
    const whileFrozen = report.attempts.filter((a) => a.at > frozenAt && a.at < faultEndedAt);
    expect(whileFrozen.length).toBeGreaterThan(0);
    expect(whileFrozen.filter((a) => a.ms > 1500)).toEqual([]);
    expect(figures.unavailable503).toBeGreaterThan(0);
  }, 60_000);
});
