import type pg from "pg";
import type { Registry } from "prom-client";
import type { Route } from "../http/route.ts";
import { accountRoutes } from "./accounts/router.ts";
import { attachmentRoutes } from "./attachments/router.ts";
import { categoryRoutes } from "./categories/router.ts";
import { transactionRoutes } from "./transactions/router.ts";

/** What the ledger's routes are built from. */
export interface LedgerDeps {
  db: pg.Pool;
  /** Gets fintrack_transactions_created_total; call ledgerRoutes once per registry. */
  registry: Registry;
}

/** Every ledger route: accounts, categories, transactions and attachments (reports: money-features.ts). */
export function ledgerRoutes(deps: LedgerDeps): Route[] {
  return [
    ...accountRoutes(deps.db),
    ...categoryRoutes(deps.db),
    ...transactionRoutes(deps),
    ...attachmentRoutes(deps.db),
  ];
}
