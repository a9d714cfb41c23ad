import type { Server } from "node:http";
import type { Express } from "express";
import { Redis } from "ioredis";
import pg from "pg";
import type { Logger } from "pino";
import { collectDefaultMetrics, Registry } from "prom-client";
import express from "express";
import { createApp } from "./app.ts";
import type { Config } from "./config.ts";
import { schemaStatus } from "./db/migrate.ts";
import { readiness, type Readiness } from "./health.ts";

/** The app's running pieces, as main.ts starts and stops them. */
export interface RunningServer {
  server: Server;
  metricsServer: Server;
  readiness: Readiness;
  /** Fails readiness, stops accepting, drains in-flight requests (up to `graceMs`), closes pools. */
  shutdown: (graceMs?: number) => Promise<void>;
}

function listen(app: Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port);
    server.once("listening", () => {
      resolve(server);
    });
    server.once("error", reject);
  });
}

/**
 * Connects to PostgreSQL and Redis and serves the app and its metrics. Connections are lazy and
 * retried by the clients: if PostgreSQL or Redis is away the app still starts, reports
 * not-ready, and recovers by itself when they return.
 */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  if (!config.databaseUrl || !config.redisUrl) {
    throw new Error(
      "DATABASE_URL and REDIS_URL are required (the demo mode without them comes with `make demo`)",
    );
  }
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: 20,
    connectionTimeoutMillis: 2000,
  });
  pool.on("error", (error) => {
    log.warn({ error: error.message }, "idle PostgreSQL client failed");
  });
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on("error", (error: Error) => {
    log.warn({ error: error.message }, "Redis connection problem");
  });
  redis.connect().catch(() => undefined); // retried by ioredis; readiness reports it meanwhile

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const ready = readiness([
    {
      name: "postgres",
      check: async () => {
        await pool.query("select 1");
      },
    },
    {
      name: "redis",
      check: async () => {
        await redis.ping();
      },
    },
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
  ]);
  const app = createApp({
    config,
    log,
    registry,
    readiness: ready,
    routes: [],
    authenticate: () => Promise.resolve(undefined),
  });
  const metricsApp = express();
  metricsApp.get("/metrics", async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  const server = await listen(app, config.port);
  const metricsServer = await listen(metricsApp, config.metricsPort);
  return {
    server,
    metricsServer,
    readiness: ready,
    shutdown: async (graceMs = 25_000) => {
      ready.drain();
      const closed = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      server.closeIdleConnections();
      const deadline = setTimeout(() => {
        server.closeAllConnections();
      }, graceMs);
      await closed;
      clearTimeout(deadline);
      await new Promise<void>((resolve) =>
        metricsServer.close(() => {
          resolve();
        }),
      );
      await pool.end();
      redis.disconnect();
    },
  };
}
