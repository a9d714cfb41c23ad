import type pg from "pg";
import { route, type Route } from "../../http/route.ts";
import { problemResponse } from "../../http/schema.ts";
import { BudgetMonthQuerySchema, monthStartDay } from "../../read-model/budget-report.ts";
import { BudgetSettingsSchema, BudgetsSchema, PutBudgetsSchema } from "./schema.ts";
import { getBudgets, putBudgets, setMonthStartDay } from "./service.ts";

const tag = "budgets";

/** Budgets per month and the day budget months start on. */
export function budgetRoutes(db: pg.Pool, base: string): Route[] {
  return [
    route({
      method: "get",
      path: "/budgets",
      operationId: "getBudgets",
      summary: "The budgets of a month",
      tag,
      access: "read",
      query: BudgetMonthQuerySchema,
      versioned: true,
      responses: {
        200: { description: "The month's budgets", schema: BudgetsSchema },
        422: problemResponse("Not a month"),
      },
      handler: ({ query }) => getBudgets(db, base, query.month),
    }),
    route({
      method: "put",
      path: "/budgets",
      operationId: "putBudgets",
      summary: "Set the budgets of a month, replacing what was set",
      description: "Amounts are in the base currency; `rollover` applies to the category.",
      tag,
      access: "write",
      query: BudgetMonthQuerySchema,
      body: PutBudgetsSchema,
      versioned: true,
      responses: {
        200: { description: "The month's budgets", schema: BudgetsSchema },
        412: problemResponse("If-Match names another version: the month changed since it was read"),
        422: problemResponse("Bad amounts, unknown or repeated categories"),
      },
      handler: ({ query, body, ifMatch }) => putBudgets(db, base, query.month, body, ifMatch),
    }),
    route({
      method: "get",
      path: "/budgets/settings",
      operationId: "getBudgetSettings",
      summary: "The day budget months start on",
      tag,
      access: "read",
      responses: { 200: { description: "The settings", schema: BudgetSettingsSchema } },
      handler: async () => ({ monthStartDay: await monthStartDay(db) }),
    }),
    route({
      method: "put",
      path: "/budgets/settings",
      operationId: "putBudgetSettings",
      summary: "Set the day budget months start on (payday months), 1 to 28",
      tag,
      access: "write",
      body: BudgetSettingsSchema,
      responses: {
        200: { description: "The settings", schema: BudgetSettingsSchema },
        422: problemResponse("Not a day from 1 to 28"),
      },
      handler: ({ body }) => setMonthStartDay(db, body.monthStartDay),
    }),
  ];
}
