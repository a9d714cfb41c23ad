import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Express } from "express";
import { Redis } from "ioredis";
import type pg from "pg";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import express from "express";
import { createApi } from "./api.ts";
import { createApp } from "./app.ts";
import { type BackgroundJobs, startBackgroundJobs } from "./background-jobs.ts";
import {
  memorySessionStore,
  memoryThrottle,
  redisSessionStore,
  redisThrottle,
} from "./auth/index.ts";
import { ownerBootstrap, type OwnerBootstrap } from "./auth/owner-bootstrap.ts";
import { addStarterCategories } from "./write-model/starter-categories.ts";
import { deferredSessions, deferredThrottle, redisPrefixOf, tenantOf } from "./auth/tenant.ts";
import type { Config } from "./config.ts";
import { postgresMetrics, type PostgresMetrics } from "./db/metrics.ts";
import { schemaStatus } from "./db/migrate.ts";
import { boundedPoolConfig, createPool, terminateCheckedOut } from "./db/pool.ts";
import { defaultMetrics } from "./http/metrics.ts";
import { readiness, type ReadinessCheck, type Readiness } from "./health.ts";
import { type InFlight, inFlight } from "./in-flight.ts";
import type { FetchResult } from "./routes/exchange-rates/schema.ts";
import { fetchReferenceRates } from "./routes/exchange-rates/service.ts";

/** The app's running pieces, as main.ts starts and stops them. */
export interface RunningServer {
  server: Server;
  metricsServer: Server;
  readiness: Readiness;
  /**
   * Fails readiness, keeps accepting for the configured delay, stops accepting, lets in-flight
   * requests and background runs finish (up to `drainMs`, the configured drain by default),
   * ends what outlasted that (ABORT_MS at most), then closes the pools. Answers how many pieces
   * of work were still running at the end: the pools are left open for those, never ended
   * under them, and the process exit ends them.
   */
  shutdown: (drainMs?: number) => Promise<{ abandoned: number }>;
}

/**
 * How long work that outlasted the drain gets to end once its database sessions are terminated:
 * its queries fail at once, it rolls back and answers 503. The operator's grace period counts it.
 */
export const ABORT_MS = 5000;

/** During the drain every response ends its connection, so keep-alive clients move elsewhere. */
function closeAfterResponse(_req: IncomingMessage, res: ServerResponse): void {
  res.shouldKeepAlive = false;
}

/** Stops accepting connections; settles once the last open one has closed. */
function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Listens on `host` (every interface when undefined) and `port`, settling once bound. */
function listen(app: Express, port: number, host: string | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = host === undefined ? app.listen(port) : app.listen(port, host);
    server.once("listening", () => {
      resolve(server);
    });
    server.once("error", reject);
  });
}

/** How the server keeps sessions and login throttles: Redis, or process memory for the demo. */
export interface ServerOptions {
  stores?: "redis" | "memory";
}

/** What must answer before the app takes traffic; the configured owner too, when there is one. */
function readinessChecks(
  pool: pg.Pool,
  redis: Redis | undefined,
  owner: OwnerBootstrap | undefined,
): ReadinessCheck[] {
  return [
    {
      name: "postgres",
      check: async () => {
        await pool.query("select 1");
      },
    },
    ...(redis
      ? [
          {
            name: "redis",
            check: async () => {
              await redis.ping();
            },
          },
        ]
      : []),
    {
      name: "schema",
      check: async () => {
        const status = await schemaStatus(pool);
        if (!status.upToDate)
          throw new Error(
            `schema at ${status.current ?? "none"}, this build needs ${status.latest}`,
          );
      },
    },
    ...(owner ? [owner.readiness] : []),
  ];
}

/** The settings the server cannot start without; Redis's only when it keeps the stores. */
function requiredSettings(
  config: Config,
  stores: "redis" | "memory",
): { databaseUrl: string; redisUrl: string | undefined; sessionSecret: string } {
  const { databaseUrl, redisUrl, sessionSecret } = config;
  if (!databaseUrl || (stores === "redis" && !redisUrl)) {
    throw new Error(
      "DATABASE_URL and REDIS_URL are required (the demo mode without them comes with `make demo`)",
    );
  }
  if (sessionSecret === undefined) throw new Error("SESSION_SECRET is required");
  return { databaseUrl, redisUrl: stores === "redis" ? redisUrl : undefined, sessionSecret };
}

/** The pool, every wait bounded; a failing connection is logged, and retried by the next query. */
function connectPostgres(config: Config, databaseUrl: string, log: Logger): pg.Pool {
  return createPool(
    { connectionString: databaseUrl, max: 20, ...boundedPoolConfig(config.timeouts) },
    (error, where) => {
      log.warn({ error, where }, "a PostgreSQL connection failed");
    },
    config.databasePasswordPrevious,
  );
}

/** The fintrack_postgres_* metrics, read over a connection of their own; problems logged. */
function exportPostgresStatistics(
  registry: Registry,
  config: Config,
  databaseUrl: string,
  pool: pg.Pool,
  log: Logger,
): PostgresMetrics {
  return postgresMetrics(registry, {
    databaseUrl,
    previousPassword: config.databasePasswordPrevious,
    pool,
    problem: (error, where) => {
      log.warn({ error, where }, "the metrics' PostgreSQL connection failed");
    },
    unavailable: (error) => {
      log.warn(
        { error },
        "PostgreSQL does not answer the metrics' query: fintrack_postgres_up is 0",
      );
    },
  });
}

/** The Redis client, connecting in the background: ioredis retries, readiness reports it. */
function connectRedis(redisUrl: string, config: Config, log: Logger): Redis {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // A frozen Redis (paused, swapping, a dead peer without RST) accepts commands and never
    // answers: without these a request waits as long as it stays frozen.
    commandTimeout: config.timeouts.redisCommandMs,
    connectTimeout: config.timeouts.redisConnectMs,
  });
  redis.on("error", (error: Error) => {
    log.warn({ error: error.message }, "Redis connection problem");
  });
  redis.connect().catch(() => undefined); // retried by ioredis; readiness reports it meanwhile
  return redis;
}

/** The API's routes and auth, keeping sessions and throttles in Redis or, without it, in memory. */
function apiOf(
  config: Config,
  sessionSecret: string,
  pool: pg.Pool,
  redis: Redis | undefined,
  log: Logger,
  registry: Registry,
): ReturnType<typeof createApi> {
  const tenant = tenantOf(pool, config.baseUrl);
  // Keys under the tenant's own prefix: tenants sharing one Redis never meet each other's keys.
  const prefix = async () => redisPrefixOf(await tenant());
  return createApi({
    db: pool,
    sessions: redis
      ? deferredSessions(async () => redisSessionStore(redis, await prefix()))
      : memorySessionStore(),
    throttle: redis
      ? deferredThrottle(async () => redisThrottle(redis, await prefix()))
      : memoryThrottle(),
    tenant,
    config: {
      baseUrl: config.baseUrl,
      signup: config.signup,
      passwordChangeRevokesTokens: config.passwordChangeRevokesTokens,
      ownerFromConfig: config.admin !== undefined,
      baseCurrency: config.baseCurrency,
      fxSourceUrl: config.fxSourceUrl,
      fxFetchDaily: config.fxFetchDaily,
      sessionSecret,
    },
    log,
    registry,
  });
}

/** The background fetch of reference rates, when FINTRACK_FX_FETCH_DAILY turns it on. */
function referenceRatesJob(
  config: Config,
  pool: pg.Pool,
): (() => Promise<FetchResult>) | undefined {
  const source = config.fxSourceUrl;
  if (!config.fxFetchDaily || source === undefined) return undefined;
  return () => fetchReferenceRates(pool, config.baseCurrency, source);
}

/** The metrics endpoint, on a port of its own so it is never exposed with the app. */
function metricsApp(registry: Registry): Express {
  const app = express();
  app.get("/metrics", async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return app;
}

/** What a shutdown stops, drains and closes. */
interface Running {
  config: Config;
  log: Logger;
  jobs: BackgroundJobs;
  ready: Readiness;
  server: Server;
  metricsServer: Server;
  work: InFlight;
  pool: pg.Pool;
  postgresStatistics: PostgresMetrics;
  redis: Redis | undefined;
}

/** RunningServer.shutdown, in the order the README's shutdown section and the operator count on. */
async function shutdownInOrder(running: Running, drainMs: number): Promise<{ abandoned: number }> {
  const { config, log, jobs, ready, server, metricsServer, work, pool, postgresStatistics, redis } =
    running;
  jobs.stop();
  ready.drain();
  // Every answer from now on ends its connection, so keep-alive clients move elsewhere.
  server.prependListener("request", closeAfterResponse);
  // Endpoints drop a terminating pod a moment after SIGTERM, so new connections keep coming
  // for a while: answer them.
  if (config.shutdownDelayMs > 0) await sleep(config.shutdownDelayMs);
  const closed = Promise.all([stopListening(server), stopListening(metricsServer)]);
  let finished = await work.settled(drainMs);
  if (!finished) {
    // Past the drain: end the database work of what still runs, so it rolls back, answers
    // 503 and releases its connections, rather than be cut off from a pool that has ended.
    const abortUntil = Date.now() + ABORT_MS;
    const ended = await Promise.race([
      terminateCheckedOut(pool),
      sleep(ABORT_MS).then(() => "no answer"),
    ]).catch((error: unknown) => String(error));
    log.warn({ running: work.count(), ended }, "work outlasted the drain: its sessions ended");
    finished = await work.settled(Math.max(0, abortUntil - Date.now()));
  }
  // Every handler is done, so every connection left is idle or flushing its last answer.
  server.closeIdleConnections();
  await Promise.race([closed, sleep(1000)]);
  server.closeAllConnections();
  metricsServer.closeAllConnections();
  // No scrape is left to read it; its one query, if any, ends within the statistics' timeout.
  await postgresStatistics.close();
  if (!finished) return { abandoned: work.count() };
  await pool.end();
  redis?.disconnect();
  return { abandoned: 0 };
}

/**
 * Connects to PostgreSQL and Redis and serves the app and its metrics. Connections are lazy and
 * retried by the clients: if PostgreSQL or Redis is away the app still starts, reports
 * not-ready, and recovers by itself when they return.
 */
export async function startServer(
  config: Config,
  log: Logger,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const settings = requiredSettings(config, options.stores ?? "redis");
  const pool = connectPostgres(config, settings.databaseUrl, log);
  const redis =
    settings.redisUrl === undefined ? undefined : connectRedis(settings.redisUrl, config, log);
  const registry = new Registry();
  defaultMetrics(registry);
  const postgresStatistics = exportPostgresStatistics(
    registry,
    config,
    settings.databaseUrl,
    pool,
    log,
  );
  const owner = config.admin
    ? ownerBootstrap(pool, config.admin, log, (client) =>
        addStarterCategories(client, config.locale),
      )
    : undefined;
  const ready = readiness(readinessChecks(pool, redis, owner));
  const api = apiOf(config, settings.sessionSecret, pool, redis, log, registry);
  // What a shutdown waits for: API requests being handled and background runs.
  const work = inFlight();
  const jobs = startBackgroundJobs({
    db: pool,
    log,
    work,
    owner,
    referenceRates: referenceRatesJob(config, pool),
  });
  const app = createApp({
    config,
    log,
    registry,
    readiness: ready,
    routes: api.routes,
    authenticate: api.authenticate,
    idempotency: api.idempotency,
    inFlight: work,
  });
  const server = await listen(app, config.port, config.host);
  const metricsServer = await listen(metricsApp(registry), config.metricsPort, config.host);
  const running = {
    config,
    log,
    jobs,
    ready,
    server,
    metricsServer,
    work,
    pool,
    postgresStatistics,
    redis,
  };
  return {
    server,
    metricsServer,
    readiness: ready,
    shutdown: (drainMs = config.shutdownDrainMs) => shutdownInOrder(running, drainMs),
  };
}
