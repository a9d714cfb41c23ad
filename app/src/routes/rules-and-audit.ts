import type pg from "pg";
import type { Registry } from "prom-client";
import type { Route } from "../http/route.ts";
import { auditRoutes } from "./audit/router.ts";
import { reconciliationRoutes } from "./reconciliations/router.ts";
import { ruleRoutes } from "./rules/router.ts";

export { withAuditAction, type AuditAction } from "../write-model/audit-context.ts";
export { applyRulesToTransactions, type ApplyOutcome } from "./rules/service.ts";

/** The rules, reconciliation (with unlocking) and audit log routes. */
export function ledgerRulesRoutes(deps: { db: pg.Pool; registry: Registry }): Route[] {
  return [...ruleRoutes(deps.db), ...reconciliationRoutes(deps.db), ...auditRoutes(deps.db)];
}
