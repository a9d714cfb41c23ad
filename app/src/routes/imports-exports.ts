import type pg from "pg";
import type { Registry } from "prom-client";
import type { Route } from "../http/route.ts";
import { fullExportRoute } from "./exports/full.ts";
import { exportRoutes } from "./exports/router.ts";
import { fullImportRoute } from "./imports/full.ts";
import { importRoutes } from "./imports/router.ts";

/**
 * Bank file imports (upload, commit, undo, list), the exports, and the whole-household export
 * and load. `baseCurrency` is FINTRACK_BASE_CURRENCY (budgets are in it); EUR, as the config's
 * default, when not given.
 */
export function importExportRoutes(deps: {
  db: pg.Pool;
  registry: Registry;
  baseCurrency?: string;
}): Route[] {
  const base = deps.baseCurrency ?? "EUR";
  return [
    ...importRoutes(deps.db),
    ...exportRoutes(deps.db),
    fullExportRoute(deps.db, base),
    fullImportRoute(deps.db, base),
  ];
}
