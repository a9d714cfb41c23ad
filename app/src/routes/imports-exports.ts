import type pg from "pg";
import type { Registry } from "prom-client";
import type { Route } from "../http/route.ts";
import { exportRoutes } from "./exports/router.ts";
import { importRoutes } from "./imports/router.ts";

/** Bank file imports (upload, commit, undo, list) and the exports. */
export function importExportRoutes(deps: { db: pg.Pool; registry: Registry }): Route[] {
  return [...importRoutes(deps.db), ...exportRoutes(deps.db)];
}
