import { readFileSync } from "node:fs";
import type pg from "pg";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { createAuth, type SessionStore, type Throttle } from "./auth/index.ts";
import type { Config } from "./config.ts";
import { type IdempotencyStore, idempotencyStore } from "./http/idempotency.ts";
import type { Authenticate, Route } from "./http/route.ts";
import { docsRoutes } from "./routes/docs/router.ts";
import { importExportRoutes } from "./routes/imports-exports.ts";
import { ledgerRoutes } from "./routes/ledger.ts";
import { moneyFeatureRoutes } from "./routes/money-features.ts";
import { ledgerRulesRoutes } from "./routes/rules-and-audit.ts";

/** The app's version, as its package.json states it: shown in the OpenAPI document. */
export const appVersion = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/** What the API is built from: the pool, the stores of the chosen kind, and settings. */
export interface ApiDeps {
  db: pg.Pool;
  sessions: SessionStore;
  throttle: Throttle;
  /** This tenant's identity, which binds its sessions (auth/tenant.ts). */
  tenant: () => Promise<string>;
  config: Pick<Config, "baseUrl" | "signup" | "baseCurrency" | "passwordChangeRevokesTokens"> & {
    sessionSecret: string;
    /** The owner comes from FINTRACK_ADMIN_EMAIL, so registration never makes one. */
    ownerFromConfig: boolean;
  };
  log: Logger;
  registry: Registry;
}

/**
 * Every route of /api/v1, the authentication in front of them and the store of their
 * Idempotency-Keys: the composition root.
 */
export function createApi(deps: ApiDeps): {
  routes: Route[];
  authenticate: Authenticate;
  idempotency: IdempotencyStore;
} {
  const auth = createAuth({
    db: deps.db,
    sessions: deps.sessions,
    throttle: deps.throttle,
    tenant: deps.tenant,
    config: {
      baseUrl: deps.config.baseUrl,
      signup: deps.config.signup,
      passwordChangeRevokesTokens: deps.config.passwordChangeRevokesTokens,
      ownerFromConfig: deps.config.ownerFromConfig,
      sessionSecret: deps.config.sessionSecret,
    },
    log: deps.log,
    registry: deps.registry,
  });
  const routes: Route[] = [
    ...auth.routes,
    ...ledgerRoutes({ db: deps.db, registry: deps.registry }),
    ...ledgerRulesRoutes({ db: deps.db, registry: deps.registry }),
    ...moneyFeatureRoutes({
      db: deps.db,
      registry: deps.registry,
      baseCurrency: deps.config.baseCurrency,
    }),
    ...importExportRoutes({
      db: deps.db,
      registry: deps.registry,
      baseCurrency: deps.config.baseCurrency,
    }),
    ...docsRoutes(() => routes, {
      title: "fintrack API",
      version: appVersion,
      serverUrl: "/api/v1",
    }),
  ];
  return { routes, authenticate: auth.authenticate, idempotency: idempotencyStore(deps.db) };
}
