import pg from "pg";
import { pino } from "pino";
import { Registry } from "prom-client";
import { appVersion, createApi } from "./api.ts";
import { memorySessionStore, memoryThrottle } from "./auth/index.ts";
import { openApiDocument } from "./http/openapi.ts";
import type { Route } from "./http/route.ts";

/**
 * Every route of /api/v1 as createApi composes them, built without a database, Redis or a
 * server: the pool is never connected, as declaring routes runs no query. For what reads the
 * route table only (the OpenAPI document, the generated web types, tests of the whole API).
 */
export function offlineRoutes(): Route[] {
  return createApi({
    db: new pg.Pool({ connectionString: "postgres://nobody@127.0.0.1:1/none" }),
    sessions: memorySessionStore(),
    throttle: memoryThrottle(),
    tenant: () => Promise.resolve("offline"),
    config: {
      baseUrl: new URL("http://localhost:8080"),
      signup: "closed",
      passwordChangeRevokesTokens: true,
      ownerFromConfig: false,
      baseCurrency: "EUR",
      fxSourceUrl: undefined,
      fxFetchDaily: false,
      sessionSecret: "s".repeat(32),
    },
    log: pino({ level: "silent" }),
    registry: new Registry(),
  }).routes;
}

/** The document GET /api/v1/openapi.json answers, built from the route table alone. */
export function servedApiDocument(): Record<string, unknown> {
  return openApiDocument(offlineRoutes(), {
    title: "fintrack API",
    version: appVersion,
    serverUrl: "/api/v1",
  });
}
