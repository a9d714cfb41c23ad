import pg from "pg";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { checkMetrics } from "../../test/harness/promtool.ts";
import {
  registerPostgresMetrics,
  statisticsPoolConfig,
  type PostgresStatistics,
} from "./metrics.ts";

function aStatistics(overrides: Partial<PostgresStatistics> = {}): PostgresStatistics {
  return {
    connections: { active: 2, idle: 5 },
    maxConnections: 100,
    sizeBytes: 8_000_000,
    oldestTransactionSeconds: 12.5,
    commits: 1000,
    rollbacks: 7,
    deadlocks: 1,
    blocksHit: 9900,
    blocksRead: 100,
    ...overrides,
  };
}

/** The value of one sample line `name{labels} value` of an exposition, or undefined. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const pools: pg.Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end()));
});

/** A registry with the PostgreSQL metrics over `read`, and what it was told of outages. */
function exporter(read: () => Promise<PostgresStatistics>, timeoutMs = 200) {
  const registry = new Registry();
  // Never connected: the pool's figures are its own counts.
  const pool = new pg.Pool({ max: 7 });
  pools.push(pool);
  const told: string[] = [];
  registerPostgresMetrics(registry, {
    read,
    pool,
    timeoutMs,
    unavailable: (message) => told.push(message),
  });
  return { registry, told };
}

describe("registerPostgresMetrics", () => {
  it("exports every statistic under its name, every connection state even at 0", async () => {
    const { registry } = exporter(() =>
      Promise.resolve(aStatistics({ connections: { active: 2, idle: 5, unknown: 1 } })),
    );
    const text = await registry.metrics();
    expect(sample(text, "fintrack_postgres_up")).toBe(1);
    expect(sample(text, 'fintrack_postgres_connections{state="active"}')).toBe(2);
    expect(sample(text, 'fintrack_postgres_connections{state="idle"}')).toBe(5);
    expect(sample(text, 'fintrack_postgres_connections{state="idle in transaction"}')).toBe(0);
    expect(
      sample(text, 'fintrack_postgres_connections{state="idle in transaction (aborted)"}'),
    ).toBe(0);
    expect(sample(text, 'fintrack_postgres_connections{state="unknown"}')).toBe(1);
    expect(sample(text, "fintrack_postgres_max_connections")).toBe(100);
    expect(sample(text, "fintrack_postgres_database_size_bytes")).toBe(8_000_000);
    expect(sample(text, "fintrack_postgres_oldest_transaction_age_seconds")).toBe(12.5);
    expect(sample(text, "fintrack_postgres_commits_total")).toBe(1000);
    expect(sample(text, "fintrack_postgres_rollbacks_total")).toBe(7);
    expect(sample(text, "fintrack_postgres_deadlocks_total")).toBe(1);
    expect(sample(text, "fintrack_postgres_blocks_hit_total")).toBe(9900);
    expect(sample(text, "fintrack_postgres_blocks_read_total")).toBe(100);
    expect(sample(text, 'fintrack_postgres_pool_connections{state="in_use"}')).toBe(0);
    expect(sample(text, 'fintrack_postgres_pool_connections{state="idle"}')).toBe(0);
    expect(sample(text, "fintrack_postgres_pool_max_connections")).toBe(7);
    expect(sample(text, "fintrack_postgres_pool_waiting_checkouts")).toBe(0);
    expect(checkMetrics(text)).toEqual({ status: 0, problems: [] });
  });

  it("exports the server's counters as it counts them, not added up scrape after scrape", async () => {
    let commits = 1000;
    const { registry } = exporter(() => Promise.resolve(aStatistics({ commits })));
    await registry.metrics();
    commits = 1500;
    expect(sample(await registry.metrics(), "fintrack_postgres_commits_total")).toBe(1500);
    // A statistics reset: the counter drops, which rate() reads as a reset.
    commits = 3;
    expect(sample(await registry.metrics(), "fintrack_postgres_commits_total")).toBe(3);
  });

  it("reads PostgreSQL once per scrape, whatever the number of metrics", async () => {
    let reads = 0;
    const { registry } = exporter(async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 20));
      return aStatistics();
    });
    await registry.metrics();
    expect(reads).toBe(1);
    await registry.getMetricsAsJSON();
    expect(reads).toBe(2);
  });

  it("answers within the timeout with up at 0 and no stale server figures when PostgreSQL hangs", async () => {
    let answer: "hang" | "fail" | "ok" = "ok";
    const { registry, told } = exporter(
      () =>
        answer === "ok"
          ? Promise.resolve(aStatistics())
          : answer === "fail"
            ? Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"))
            : new Promise<never>(() => undefined),
      200,
    );
    expect(sample(await registry.metrics(), "fintrack_postgres_up")).toBe(1);

    answer = "hang";
    const started = Date.now();
    const text = await registry.metrics();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sample(text, "fintrack_postgres_up")).toBe(0);
    for (const absent of [
      "fintrack_postgres_connections",
      "fintrack_postgres_max_connections",
      "fintrack_postgres_database_size_bytes",
      "fintrack_postgres_oldest_transaction_age_seconds",
      "fintrack_postgres_commits_total",
      "fintrack_postgres_blocks_read_total",
    ]) {
      expect(text.split("\n").filter((l) => l.startsWith(absent))).toEqual([]);
    }
    expect(sample(text, "fintrack_postgres_pool_max_connections")).toBe(7);
    expect(checkMetrics(text)).toEqual({ status: 0, problems: [] });
    expect(told).toEqual(["no answer within 200 ms"]);

    answer = "fail";
    expect(sample(await registry.metrics(), "fintrack_postgres_up")).toBe(0);
    expect(told).toHaveLength(1); // told once an outage, not at every scrape

    answer = "ok";
    const back = await registry.metrics();
    expect(sample(back, "fintrack_postgres_up")).toBe(1);
    expect(sample(back, "fintrack_postgres_commits_total")).toBe(1000);
    answer = "fail";
    await registry.metrics();
    expect(told).toEqual(["no answer within 200 ms", "connect ECONNREFUSED 127.0.0.1:5432"]);
  });
});

describe("statisticsPoolConfig", () => {
  it("holds one connection whose every wait ends within the scrape's budget", () => {
    const config = statisticsPoolConfig("postgres://app@db/app", 1500);
    expect(config).toMatchObject({
      max: 1,
      connectionTimeoutMillis: 1500,
      query_timeout: 1500,
      statement_timeout: 1500,
      application_name: "fintrack-metrics",
    });
  });
});
