import { readFileSync } from "node:fs";
import type pg from "pg";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { createAuthenticate } from "./auth/authenticate.ts";
import { type AuthDeps, authContext } from "./auth/context.ts";
import type { Authenticate } from "./auth/principal.ts";
import type { SessionStore } from "./auth/sessions.ts";
import type { Throttle } from "./auth/throttle.ts";
import type { Config } from "./config.ts";
import { type IdempotencyStore, idempotencyStore } from "./http/idempotency.ts";
import type { Route } from "./http/route.ts";
import { accountRoutes } from "./routes/accounts/router.ts";
import { attachmentRoutes } from "./routes/attachments/router.ts";
import { auditRoutes } from "./routes/audit/router.ts";
import { authRoutes } from "./routes/auth/router.ts";
import { budgetRoutes } from "./routes/budgets/router.ts";
import { categoryRoutes } from "./routes/categories/router.ts";
import { docsRoutes } from "./routes/docs/router.ts";
import { exchangeRateRoutes } from "./routes/exchange-rates/router.ts";
import { fullExportRoute } from "./routes/household/export.ts";
import { exportRoutes } from "./routes/exports/router.ts";
import { fullImportRoute } from "./routes/household/load.ts";
import { importRoutes } from "./routes/imports/router.ts";
import { reconciliationRoutes } from "./routes/reconciliations/router.ts";
import { recurringRoutes } from "./routes/recurring/router.ts";
import { reportRoutes } from "./routes/reports/router.ts";
import { ruleRoutes } from "./routes/rules/router.ts";
import { payeeRoutes } from "./routes/payees/router.ts";
import { savedFilterRoutes } from "./routes/saved-filters/router.ts";
import { tokenRoutes } from "./routes/tokens/router.ts";
import { transactionRoutes } from "./routes/transactions/router.ts";
import { meRoutes } from "./routes/me/router.ts";
import { userRoutes } from "./routes/users/router.ts";

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
  config: Pick<
    Config,
    | "baseUrl"
    | "signup"
    | "baseCurrency"
    | "passwordChangeRevokesTokens"
    | "fxSourceUrl"
    | "fxFetchDaily"
  > & {
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
    ...resourceRoutes({
      db: deps.db,
      registry: deps.registry,
      baseCurrency: deps.config.baseCurrency,
      fxSourceUrl: deps.config.fxSourceUrl,
      fxFetchDaily: deps.config.fxFetchDaily,
    }),
    ...docsRoutes(() => routes, {
      title: "fintrack API",
      version: appVersion,
      serverUrl: "/api/v1",
    }),
  ];
  return { routes, authenticate: auth.authenticate, idempotency: idempotencyStore(deps.db) };
}

/**
 * Authentication and the household: the `authenticate` function every route is mounted
 * behind, and the routes of /auth, /me, /users, /invitations and /tokens.
 */
export function createAuth(deps: AuthDeps): { authenticate: Authenticate; routes: Route[] } {
  const ctx = authContext(deps);
  return {
    authenticate: createAuthenticate(ctx),
    routes: [...authRoutes(ctx), ...meRoutes(ctx), ...userRoutes(ctx), ...tokenRoutes(ctx)],
  };
}

/** What the resources' routes are built from. */
export interface ResourceDeps {
  db: pg.Pool;
  /** Gets the routes' own metrics (fintrack_transactions_created_total): build once per registry. */
  registry: Registry;
  /** The household's base currency (FINTRACK_BASE_CURRENCY): reports and budgets are in it. */
  baseCurrency: string;
  /** Where POST /exchange-rates/fetch reads reference rates; absent, fetching is off. */
  fxSourceUrl?: URL | undefined;
  /** Whether the app also fetches them by itself, a few times a day (FINTRACK_FX_FETCH_DAILY). */
  fxFetchDaily?: boolean | undefined;
}

/** Every route of the household's money, one line a resource. */
export function resourceRoutes({
  db,
  registry,
  baseCurrency,
  fxSourceUrl,
  fxFetchDaily,
}: ResourceDeps): Route[] {
  return [
    ...accountRoutes(db),
    ...categoryRoutes(db),
    ...transactionRoutes({ db, registry }),
    ...savedFilterRoutes(db),
    ...payeeRoutes(db),
    ...attachmentRoutes(db),
    ...ruleRoutes(db),
    ...reconciliationRoutes(db),
    ...auditRoutes(db),
    ...budgetRoutes(db, baseCurrency),
    ...recurringRoutes(db),
    ...exchangeRateRoutes(db, baseCurrency, { url: fxSourceUrl, daily: fxFetchDaily ?? false }),
    ...reportRoutes({ db, baseCurrency }),
    ...importRoutes(db),
    ...exportRoutes(db),
    fullExportRoute(db, baseCurrency),
    fullImportRoute(db, baseCurrency),
  ];
}
