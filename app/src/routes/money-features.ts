import type pg from "pg";
import type { Registry } from "prom-client";
import type { Route } from "../http/route.ts";
import { budgetRoutes } from "./budgets/router.ts";
import { exchangeRateRoutes } from "./exchange-rates/router.ts";
import { recurringRoutes } from "./recurring/router.ts";
import { reportRoutes } from "./reports/router.ts";

/** What the money features are built from. */
export interface MoneyFeatureDeps {
  db: pg.Pool;
  registry: Registry;
  /** The household's base currency (FINTRACK_BASE_CURRENCY): reports and budgets are in it. */
  baseCurrency: string;
}

/** Budgets, recurring transactions, exchange rates and the reports. */
export function moneyFeatureRoutes(deps: MoneyFeatureDeps): Route[] {
  return [
    ...budgetRoutes(deps.db, deps.baseCurrency),
    ...recurringRoutes(deps.db),
    ...exchangeRateRoutes(deps.db, deps.baseCurrency),
    ...reportRoutes(deps),
  ];
}
