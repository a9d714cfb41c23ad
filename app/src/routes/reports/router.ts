import type pg from "pg";
import { z } from "zod";
import { route, type Route } from "../../http/route.ts";
import { problemResponse } from "../../http/schema.ts";
import { budgetReport, BudgetMonthQuerySchema } from "../../read-model/budget-report.ts";
import { cashflow, CashflowQuerySchema, CashflowSchema } from "./cashflow.ts";
import { dateRange, MissingRateSchema, today } from "../../read-model/conversion.ts";
import { resolveFilter } from "../../read-model/report-filter.ts";
import { netWorth, NetWorthQuerySchema, NetWorthSchema, reportRange } from "./net-worth.ts";
import { spending, SpendingQuerySchema, SpendingSchema } from "./spending.ts";

const tag = "reports";
const invalid = { 422: problemResponse("Invalid parameters") };
const filtered =
  "`accountId`, `categoryId` (with its subcategories; a split transaction by its lines) and " +
  "`tag` narrow the report to the matching transactions (a transfer between two chosen accounts is " +
  "still neither); an unknown id is a 422 naming the field.";
const converted =
  "Amounts are in the base currency, converted with the rate in force on each date and rounded " +
  "half away from zero once per currency and rate; amounts lacking a rate are left out and " +
  "listed in `missingRates`, never taken 1:1.";

const BudgetReportSchema = z.object({
  month: z.string(),
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  lines: z.array(
    z.object({
      categoryId: z.string(),
      name: z.string(),
      /** Whether the category has a budget this month (or rolls one over); else budgeted is 0. */
      hasBudget: z.boolean(),
      rollover: z.boolean(),
      budgeted: z.string(),
      spent: z.string(),
      rolledOver: z.string(),
      available: z.string(),
    }),
  ),
  /**
   * Over the outermost budgeted categories, so each transaction counts once however budgets
   * nest; `unbudgeted` is the net of expense categories no budget covers.
   */
  totals: z.object({
    budgeted: z.string(),
    spent: z.string(),
    available: z.string(),
    unbudgeted: z.string(),
  }),
  missingRates: z.array(MissingRateSchema),
});

/** The report routes: spending, cash flow, net worth and budget. */
export function reportRoutes(deps: { db: pg.Pool; baseCurrency: string }): Route[] {
  const { db, baseCurrency: base } = deps;
  return [
    route({
      method: "get",
      path: "/reports/spending",
      operationId: "spendingReport",
      summary: "Spending by category (rolled up the tree), payee or tag",
      description: `Money out is negative. ${filtered} ${converted}`,
      tag,
      access: "read",
      query: SpendingQuerySchema,
      responses: { 200: { description: "The groups", schema: SpendingSchema }, ...invalid },
      handler: async ({ query }) =>
        spending(db, base, dateRange(query, today()), query, await resolveFilter(db, query)),
    }),
    route({
      method: "get",
      path: "/reports/cashflow",
      operationId: "cashflowReport",
      summary: "Income, expense and net per month or week",
      description: `Transfers between accounts are neither. ${filtered} ${converted}`,
      tag,
      access: "read",
      query: CashflowQuerySchema,
      responses: {
        200: { description: "One point per interval", schema: CashflowSchema },
        ...invalid,
      },
      handler: async ({ query }) =>
        cashflow(
          db,
          base,
          dateRange(query, today()),
          query.interval,
          await resolveFilter(db, query),
        ),
    }),
    route({
      method: "get",
      path: "/reports/net-worth",
      operationId: "netWorthReport",
      summary: "Assets, liabilities and net worth at each month end",
      description:
        "Every account counts, archived ones too; loans and credit cards are liabilities. " +
        "Balances are converted with the rate in force on each month end. `accountId` keeps " +
        "the chosen accounts only.",
      tag,
      access: "read",
      query: NetWorthQuerySchema,
      responses: {
        200: { description: "One point per month end", schema: NetWorthSchema },
        ...invalid,
      },
      handler: async ({ query }) => {
        const range = reportRange(query, today());
        const filter = await resolveFilter(db, { accountId: query.accountId });
        return netWorth(db, base, range, filter?.accountIds ?? null);
      },
    }),
    route({
      method: "get",
      path: "/reports/budget",
      operationId: "budgetReport",
      summary: "Budget against actual for a month: budgeted, spent, rolled over, available",
      description: `Spent is the net of the category and its subcategories. ${converted}`,
      tag,
      access: "read",
      query: BudgetMonthQuerySchema,
      responses: {
        200: {
          description: "Per budgeted category and per expense category, budgeted or not",
          schema: BudgetReportSchema,
        },
        ...invalid,
      },
      handler: ({ query }) => budgetReport(db, base, query.month),
    }),
  ];
}
