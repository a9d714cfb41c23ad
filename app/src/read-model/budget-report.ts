import type pg from "pg";
import { z } from "zod";
import { addMonths, budgetLines, budgetPeriod, monthIndex } from "../domain/budgets.ts";
import { type Category, descendantIds, outermost } from "../domain/categories.ts";
import { PlainMonthSchema } from "../domain/dates.ts";
import { formatMinor } from "../http/amounts.ts";
import { categoryRowsSql, convertRows, type MissingRate, rateInForce, sums } from "./conversion.ts";

/** `?month=YYYY-MM`: the budget month the budgets and the budget report are of. */
export const BudgetMonthQuerySchema = z.object({ month: PlainMonthSchema });

/** The day budget months start on (1 = calendar months). */
export async function monthStartDay(db: pg.Pool | pg.PoolClient): Promise<number> {
  const { rows } = await db.query<{ day: number }>(
    "select month_start_day as day from budget_settings",
  );
  return rows[0]?.day ?? 1;
}

/** One line of the budget report. */
export interface BudgetReportLine {
  categoryId: string;
  name: string;
  /** Whether the category has a budget this month (or rolls one over); else budgeted is 0. */
  hasBudget: boolean;
  rollover: boolean;
  budgeted: string;
  spent: string;
  rolledOver: string;
  available: string;
}

/** The budget report of a month. */
export interface BudgetReport {
  month: string;
  from: string;
  to: string;
  currency: string;
  lines: BudgetReportLine[];
  /**
   * Over the outermost budgeted categories (each transaction once, however budgets nest), and
   * `unbudgeted`: the net of expense categories no budget covers.
   */
  totals: { budgeted: string; spent: string; available: string; unbudgeted: string };
  missingRates: MissingRate[];
}

// The net money per category and budget month (a month starting on $4 runs from that day), in
// each currency and rate in force.
const spentSql = (months: boolean) => `
select d.category_id::text || ' ' || to_char(d.day - ($4::int - 1), 'YYYY-MM') as key,
  d.currency, ${rateInForce("d.currency", "d.day", "$3")} as rate,
  sum(d.inflow + d.outflow)::text as amount, min(d.day)::text as first_day,
  max(d.day)::text as last_day
from (${categoryRowsSql(months ? "month" : "day")}) d
group by 1, 2, 3`;
// Calendar months read whole months of the base currency at once; payday months need days.
const spentByMonth = spentSql(true);
const spentByDay = spentSql(false);

/**
 * Per budgeted category and per expense category (budgeted or not): budgeted, spent (the net of
 * the category and its subcategories, money out negative), rolled over from the previous month,
 * and available. A category rolling over walks back to its first budgeted month, so what carried
 * is exact, not estimated. An expense category without a budget has its activity all the same:
 * budgeted 0, so what went out shows as overspent.
 */
export async function budgetReport(
  db: pg.Pool,
  base: string,
  month: string,
): Promise<BudgetReport> {
  const startDay = await monthStartDay(db);
  const [budgetRows, categoryRows] = await Promise.all([
    db.query<{ category_id: string; month: string; amount: string; rollover: boolean }>(
      `select b.category_id::text, to_char(b.month, 'YYYY-MM') as month, b.amount::text,
         r.category_id is not null as rollover
       from budgets b left join budget_rollovers r on r.category_id = b.category_id
       where b.month <= $1::date
         and (r.category_id is not null or b.month = $1::date)
         and b.category_id in (select category_id from budgets where month = $1::date
                               union select category_id from budget_rollovers)`,
      [`${month}-01`],
    ),
    db.query<{ id: string; name: string; kind: "income" | "expense"; parent_id: string | null }>(
      "select id::text, name, kind, parent_id::text from categories",
    ),
  ]);
  const tree: Category[] = categoryRows.rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    parentId: r.parent_id,
  }));
  const budgets = new Map<string, { rollover: boolean; months: Map<string, bigint> }>();
  for (const row of budgetRows.rows) {
    const entry = budgets.get(row.category_id) ?? { rollover: row.rollover, months: new Map() };
    entry.months.set(row.month, BigInt(row.amount));
    budgets.set(row.category_id, entry);
  }
  const firstMonth = [...budgets.values()]
    .flatMap((b) => [...b.months.keys()])
    .reduce((a, b) => (b < a ? b : a), month);
  const { totals, missing } = convertRows(
    await sums(db, startDay === 1 ? spentByMonth : spentByDay, [
      budgetPeriod(firstMonth, startDay).from,
      budgetPeriod(month, startDay).to,
      base,
      startDay,
    ]),
    base,
  );
  const subtrees = new Map(tree.map((c) => [c.id, descendantIds(tree, c.id)]));
  const spentIn = (categoryId: string, m: string) =>
    (subtrees.get(categoryId) ?? [categoryId]).reduce(
      (acc, id) => acc + (totals.get(`${id} ${m}`) ?? 0n),
      0n,
    );
  const names = new Map(tree.map((c) => [c.id, c.name]));
  const lines: BudgetReportLine[] = [];
  const counted = new Set(outermost(tree, new Set(budgets.keys())));
  const sum = { budgeted: 0n, spent: 0n, available: 0n };
  const unbudgetedExpenses = tree.filter((c) => c.kind === "expense" && !budgets.has(c.id));
  for (const category of unbudgetedExpenses) {
    const spent = spentIn(category.id, month);
    lines.push({
      categoryId: category.id,
      name: category.name,
      hasBudget: false,
      rollover: false,
      budgeted: formatMinor(0n, base),
      spent: formatMinor(spent, base),
      rolledOver: formatMinor(0n, base),
      available: formatMinor(spent, base),
    });
  }
  // What no budget covers, each category's own activity once (not its subtree's).
  const covered = new Set([...budgets.keys()].flatMap((id) => subtrees.get(id) ?? [id]));
  const unbudgeted = unbudgetedExpenses
    .filter((c) => !covered.has(c.id))
    .reduce((acc, c) => acc + (totals.get(`${c.id} ${month}`) ?? 0n), 0n);
  for (const [categoryId, budget] of budgets) {
    const first = [...budget.months.keys()].reduce((a, b) => (b < a ? b : a), month);
    const start = budget.rollover ? first : month;
    const months = [];
    for (let index = monthIndex(start); index <= monthIndex(month); index++) {
      const m = addMonths(start, index - monthIndex(start));
      months.push({
        month: m,
        budgeted: budget.months.get(m) ?? 0n,
        spent: spentIn(categoryId, m),
      });
    }
    const last = budgetLines(months, budget.rollover).at(-1);
    if (last === undefined) continue;
    if (counted.has(categoryId)) {
      sum.budgeted += last.budgeted;
      sum.spent += last.spent;
      sum.available += last.available;
    }
    lines.push({
      categoryId,
      name: names.get(categoryId) ?? "",
      hasBudget: true,
      rollover: budget.rollover,
      budgeted: formatMinor(last.budgeted, base),
      spent: formatMinor(last.spent, base),
      rolledOver: formatMinor(last.rolledOver, base),
      available: formatMinor(last.available, base),
    });
  }
  lines.sort((a, b) => a.name.localeCompare(b.name) || a.categoryId.localeCompare(b.categoryId));
  return {
    month,
    ...budgetPeriod(month, startDay),
    currency: base,
    lines,
    totals: {
      budgeted: formatMinor(sum.budgeted, base),
      spent: formatMinor(sum.spent, base),
      available: formatMinor(sum.available, base),
      unbudgeted: formatMinor(unbudgeted, base),
    },
    missingRates: missing,
  };
}
