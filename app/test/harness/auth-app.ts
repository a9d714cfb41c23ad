// Test fixture (imported by integration tests only, never by the app): the auth routes served
// over HTTP against real PostgreSQL and Redis, with a movable clock and every log line captured.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import pg from "pg";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll } from "vitest";
import { z } from "zod";
import { useRedisPrefix, useTestDatabase } from "./database.ts";
import { createApp } from "../../src/app.ts";
import { migrate } from "../../src/db/migrate.ts";
import { readiness } from "../../src/health.ts";
import { type Route, route } from "../../src/http/route.ts";
import type { AuthDeps } from "../../src/auth/context.ts";
import { createAuth } from "../../src/api.ts";
import { redisSessionStore, redisThrottle } from "../../src/auth/index.ts";
import { tenantOf } from "../../src/auth/tenant.ts";

/** A clock tests move forward instead of sleeping. */
export interface TestClock {
  now: () => number;
  advance: (ms: number) => void;
}

/** What an auth integration test works with; filled in before its tests run. */
export interface AuthApp {
  base: string;
  pool: pg.Pool;
  redis: Redis;
  prefix: string;
  registry: Registry;
  clock: TestClock;
  /** Every log line so far, app and auth, as written. */
  logs: () => string;
}

/** Routes that only say who asked, to test authorization on each access level. */
const probes: Route[] = (["read", "write", "owner"] as const).map((access) =>
  route({
    method: "post",
    path: `/probe/${access}`,
    operationId: `probe_${access}`,
    summary: `A ${access} route for tests`,
    tag: "test",
    access,
    responses: {
      200: {
        description: "Who asked",
        schema: z.object({ userId: z.string(), role: z.string(), via: z.string() }),
      },
    },
    handler: ({ principal }) =>
      Promise.resolve({ userId: principal.userId, role: principal.role, via: principal.via }),
  }),
);

/**
 * Serves createAuth's routes and authenticate for one test file, on a fresh database and Redis
 * prefix. `policy` and `baseUrl` are as in AuthDeps; the IP budget defaults high because every
 * test request comes from 127.0.0.1.
 */
export function useAuthApp(
  options: {
    policy?: AuthDeps["policy"];
    baseUrl?: string;
    signup?: "open" | "closed";
    /** As AuthDeps' config: whether a password change revokes tokens (default true). */
    passwordChangeRevokesTokens?: boolean;
    /** More routes to serve behind the real authentication (another module's, say). */
    routes?: readonly Route[];
    /** Trust one proxy, so tests can play clients at other addresses with X-Forwarded-For. */
    trustProxy?: boolean;
  } = {},
): AuthApp {
  const db = useTestDatabase();
  const { url: redisUrl, prefix } = useRedisPrefix();
  let time = Date.now();
  const lines: string[] = [];
  let server: Server | undefined;
  const app = {
    base: "",
    prefix,
    registry: new Registry(),
    clock: {
      now: () => time,
      advance: (ms: number) => {
        time += ms;
      },
    },
    logs: () => lines.join(""),
  } as AuthApp;

  beforeAll(async () => {
    app.pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrate(app.pool);
    app.redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await app.redis.connect();
    const log = pino(
      { level: "trace" },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString("utf8"));
          done();
        },
      }),
    );
    const baseUrl = new URL(options.baseUrl ?? "http://127.0.0.1");
    const auth = createAuth({
      db: app.pool,
      sessions: redisSessionStore(app.redis, prefix),
      throttle: redisThrottle(app.redis, prefix),
      tenant: tenantOf(app.pool, baseUrl),
      config: {
        sessionSecret: "test-session-secret-".padEnd(40, "x"),
        baseUrl,
        signup: options.signup ?? "closed",
        passwordChangeRevokesTokens: options.passwordChangeRevokesTokens ?? true,
        ownerFromConfig: false,
      },
      log,
      registry: app.registry,
      now: app.clock.now,
      policy: {
        ...options.policy,
        login: {
          ip: { limit: 1000, windowMs: 15 * 60_000, baseDelayMs: 1000, maxDelayMs: 15 * 60_000 },
          ...options.policy?.login,
        },
      },
    });
    const express = createApp({
      config: { baseUrl, trustProxy: options.trustProxy ?? false, validateResponses: true },
      log,
      registry: app.registry,
      readiness: readiness([]),
      routes: [...auth.routes, ...probes, ...(options.routes ?? [])],
      authenticate: auth.authenticate,
    });
    const listening: Server = express.listen(0, "127.0.0.1");
    server = listening;
    await new Promise((resolve) => listening.once("listening", resolve));
    app.base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    const listening = server;
    if (listening)
      await new Promise((resolve) => {
        listening.closeAllConnections();
        listening.close(resolve);
      });
    app.redis.disconnect();
    await app.pool.end();
  });
  return app;
}
