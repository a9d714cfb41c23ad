import type pg from "pg";
import { Counter, Gauge, type Registry } from "prom-client";
import { withTimeout } from "../health.ts";
import { createPool, type ConnectionProblem } from "./pool.ts";

/** What one reading of PostgreSQL's own statistics says about the app's database. */
export interface PostgresStatistics {
  /** Client connections to the app's database by their pg_stat_activity state. */
  connections: Readonly<Record<string, number>>;
  maxConnections: number;
  sizeBytes: number;
  /** How long the oldest open transaction of another client has been running; 0 when none. */
  oldestTransactionSeconds: number;
  /** pg_stat_database's counters: they only grow, until the server's statistics are reset. */
  commits: number;
  rollbacks: number;
  deadlocks: number;
  blocksHit: number;
  blocksRead: number;
}

/**
 * How long a scrape waits for PostgreSQL's statistics: well inside the ServiceMonitor's 10 s
 * scrape timeout, so a slow or frozen database turns `fintrack_postgres_up` to 0 instead of
 * failing the whole scrape (and with it the app's request metrics).
 */
export const STATISTICS_TIMEOUT_MS = 2000;

/**
 * The states PostgreSQL reports for a client; each is always exported, at 0 when no connection
 * is in it, so a panel or alert never meets a missing series. `unknown` counts other roles'
 * sessions, whose state only a member of pg_read_all_stats may see.
 */
const connectionStates = [
  "active",
  "idle",
  "idle in transaction",
  "idle in transaction (aborted)",
] as const;

/**
 * One statement, so one round trip and one consistent snapshot. Every figure is one PostgreSQL
 * keeps anyway (no table is scanned), and every one is readable by the app's own role.
 */
const statisticsQuery = `
  with clients as (
    select pid, state, xact_start from pg_stat_activity
    where datname = current_database() and backend_type = 'client backend'
  )
  select
    (select coalesce(json_object_agg(state, n), '{}'::json)
       from (select coalesce(state, 'unknown') as state, count(*)::int as n
               from clients group by 1) by_state) as connections,
    current_setting('max_connections')::int as max_connections,
    pg_database_size(current_database())::float8 as size_bytes,
    coalesce((select extract(epoch from max(now() - xact_start))::float8
                from clients where pid <> pg_backend_pid()), 0) as oldest_transaction_seconds,
    xact_commit::float8 as commits,
    xact_rollback::float8 as rollbacks,
    deadlocks::float8 as deadlocks,
    blks_hit::float8 as blocks_hit,
    blks_read::float8 as blocks_read
  from pg_stat_database where datname = current_database()`;

interface StatisticsRow {
  connections: Record<string, number>;
  max_connections: number;
  size_bytes: number;
  oldest_transaction_seconds: number;
  commits: number;
  rollbacks: number;
  deadlocks: number;
  blocks_hit: number;
  blocks_read: number;
}

/** Reads the app database's statistics once, through `pool`. */
export async function readPostgresStatistics(pool: pg.Pool): Promise<PostgresStatistics> {
  const { rows } = await pool.query<StatisticsRow>(statisticsQuery);
  const row = rows[0];
  if (!row) throw new Error("pg_stat_database has no row for the current database");
  return {
    connections: row.connections,
    maxConnections: row.max_connections,
    sizeBytes: row.size_bytes,
    // now() is this statement's start, so a transaction begun after it reads a hair below 0.
    oldestTransactionSeconds: Math.max(0, row.oldest_transaction_seconds),
    commits: row.commits,
    rollbacks: row.rollbacks,
    deadlocks: row.deadlocks,
    blocksHit: row.blocks_hit,
    blocksRead: row.blocks_read,
  };
}

/**
 * The settings of the statistics' own pool: one connection, so scrapes never take one the app's
 * requests wait for, nor wait behind them when the app's pool is exhausted; every wait bounded by
 * the scrape's budget, and a query that outlives it ends its connection (pg-pool discards a
 * client whose query failed), so a frozen server never leaves a scrape queued behind another.
 */
export function statisticsPoolConfig(databaseUrl: string, timeoutMs: number): pg.PoolConfig {
  return {
    connectionString: databaseUrl,
    max: 1,
    application_name: "fintrack-metrics",
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    // Kept between scrapes (every 30 s) rather than opened for each one.
    idleTimeoutMillis: 5 * 60_000,
  };
}

/** A reading, or why there is none; never thrown, since a scrape must answer regardless. */
type Reading = { ok: true; statistics: PostgresStatistics } | { ok: false };

/** The reading of the scrape under way. */
type Shared = () => Promise<Reading>;

/**
 * Shares one reading among every metric of a scrape: Registry.metrics() asks all its metrics at
 * once, so their collect()s start together and the first one's reading serves them all.
 */
function sharedReading(read: () => Promise<Reading>): Shared {
  let inFlight: Promise<Reading> | undefined;
  return () => {
    inFlight ??= read().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

/** What registerPostgresMetrics reads from. */
export interface PostgresMetricsSources {
  /** One reading of PostgreSQL's statistics; it may reject or hang, both are bounded. */
  read: () => Promise<PostgresStatistics>;
  /** The app's own pool, whose figures need no database. */
  pool: pg.Pool;
  timeoutMs: number;
  /** Told when PostgreSQL stops answering the scrapes, once until it answers again. */
  unavailable: (message: string) => void;
}

/** One figure of a reading, exported under `name`. */
interface Statistic {
  name: string;
  help: string;
  figure: (s: PostgresStatistics) => number;
}

/** Figures that go up and down: exported as gauges. */
const levels: readonly Statistic[] = [
  {
    name: "fintrack_postgres_max_connections",
    help: "The server's max_connections setting",
    figure: (s) => s.maxConnections,
  },
  {
    name: "fintrack_postgres_database_size_bytes",
    help: "Disk space the app's database takes (pg_database_size)",
    figure: (s) => s.sizeBytes,
  },
  {
    name: "fintrack_postgres_oldest_transaction_age_seconds",
    help: "Age of the oldest open transaction of a client of the app's database, 0 when none is open",
    figure: (s) => s.oldestTransactionSeconds,
  },
];

/**
 * pg_stat_database's cumulative figures: exported as counters, as the server counts them. They
 * only grow, and drop to 0 only when the server's statistics are reset, which rate() reads as a
 * counter reset.
 */
const cumulative: readonly Statistic[] = [
  {
    name: "fintrack_postgres_commits_total",
    help: "Transactions committed in the app's database (pg_stat_database)",
    figure: (s) => s.commits,
  },
  {
    name: "fintrack_postgres_rollbacks_total",
    help: "Transactions rolled back in the app's database (pg_stat_database)",
    figure: (s) => s.rollbacks,
  },
  {
    name: "fintrack_postgres_deadlocks_total",
    help: "Deadlocks detected in the app's database (pg_stat_database)",
    figure: (s) => s.deadlocks,
  },
  {
    name: "fintrack_postgres_blocks_hit_total",
    help: "Disk blocks of the app's database found in PostgreSQL's buffer cache (pg_stat_database)",
    figure: (s) => s.blocksHit,
  },
  {
    name: "fintrack_postgres_blocks_read_total",
    help: "Disk blocks of the app's database read because the buffer cache lacked them (pg_stat_database)",
    figure: (s) => s.blocksRead,
  },
];

/** A gauge of one statistic, absent (no sample) while PostgreSQL does not answer. */
function statisticGauge(registry: Registry, reading: Shared, statistic: Statistic): void {
  new Gauge({
    name: statistic.name,
    help: statistic.help,
    registers: [registry],
    async collect() {
      const r = await reading();
      if (r.ok) this.set(statistic.figure(r.statistics));
      else this.remove();
    },
  });
}

/**
 * A counter of one cumulative statistic, set to the server's count at each scrape. Absent while
 * PostgreSQL does not answer, rather than a 0 that rate() would read as a reset.
 */
function statisticCounter(registry: Registry, reading: Shared, statistic: Statistic): void {
  new Counter({
    name: statistic.name,
    help: statistic.help,
    registers: [registry],
    async collect() {
      const r = await reading();
      if (!r.ok) {
        this.remove();
        return;
      }
      this.reset();
      this.inc(statistic.figure(r.statistics));
    },
  });
}

/** The figures of the app's pool of connections, read from the pool itself. */
function poolMetrics(registry: Registry, pool: pg.Pool): void {
  new Gauge({
    name: "fintrack_postgres_pool_connections",
    help: "Connections the app's pool holds, checked out by a request or job (in_use) or idle",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      this.set({ state: "in_use" }, pool.totalCount - pool.idleCount);
      this.set({ state: "idle" }, pool.idleCount);
    },
  });
  new Gauge({
    name: "fintrack_postgres_pool_max_connections",
    help: "Connections the app's pool opens at most",
    registers: [registry],
    collect() {
      this.set(pool.options.max);
    },
  });
  new Gauge({
    name: "fintrack_postgres_pool_waiting_checkouts",
    help: "Requests for a connection queued because every connection of the pool is in use",
    registers: [registry],
    collect() {
      this.set(pool.waitingCount);
    },
  });
}

/**
 * Registers the app database's figures (fintrack_postgres_*), read from PostgreSQL's statistics
 * at each scrape within `timeoutMs`, and the app pool's figures. The server's figures are the
 * same from every replica of the app: dashboards and alerts take their max, not their sum.
 */
export function registerPostgresMetrics(registry: Registry, sources: PostgresMetricsSources): void {
  let answering = true;
  const reading = sharedReading(async (): Promise<Reading> => {
    try {
      const statistics = await withTimeout(sources.read(), sources.timeoutMs);
      answering = true;
      return { ok: true, statistics };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (answering) sources.unavailable(message);
      answering = false;
      return { ok: false };
    }
  });
  new Gauge({
    name: "fintrack_postgres_up",
    help: "1 when PostgreSQL answered this scrape's statistics query in time, else 0",
    registers: [registry],
    async collect() {
      this.set((await reading()).ok ? 1 : 0);
    },
  });
  new Gauge({
    name: "fintrack_postgres_connections",
    help: "Client connections to the app's database by state (pg_stat_activity)",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      const r = await reading();
      this.reset();
      if (!r.ok) return;
      for (const state of connectionStates) this.set({ state }, 0);
      for (const [state, n] of Object.entries(r.statistics.connections)) this.set({ state }, n);
    },
  });
  for (const statistic of levels) statisticGauge(registry, reading, statistic);
  for (const statistic of cumulative) statisticCounter(registry, reading, statistic);
  poolMetrics(registry, sources.pool);
}

/** The connection of the statistics, for the server to close at shutdown. */
export interface PostgresMetrics {
  close: () => Promise<void>;
}

/**
 * Registers the fintrack_postgres_* metrics of the app's database at `databaseUrl` (the app's
 * own pool is `pool`), read over a connection of their own that follows a password rotation as
 * the app's pool does.
 */
export function postgresMetrics(
  registry: Registry,
  options: {
    databaseUrl: string;
    previousPassword: string | undefined;
    pool: pg.Pool;
    problem: ConnectionProblem;
    unavailable: (message: string) => void;
    timeoutMs?: number;
  },
): PostgresMetrics {
  const timeoutMs = options.timeoutMs ?? STATISTICS_TIMEOUT_MS;
  const statisticsPool = createPool(
    statisticsPoolConfig(options.databaseUrl, timeoutMs),
    options.problem,
    options.previousPassword,
  );
  registerPostgresMetrics(registry, {
    read: () => readPostgresStatistics(statisticsPool),
    pool: options.pool,
    timeoutMs,
    unavailable: options.unavailable,
  });
  return { close: () => statisticsPool.end() };
}
