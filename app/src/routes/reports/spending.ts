import type pg from "pg";
import { z } from "zod";
import { type Category, rollUp } from "../../domain/categories.ts";
import { formatMinor } from "../../http/amounts.ts";
import {
  categoryRowsSql,
  convertRows,
  DateRangeQuery,
  MissingRateSchema,
  rateInForce,
  sums,
} from "../../read-model/conversion.ts";
import {
  filteredCategoryRowsSql,
  filteredOutflowSql,
  filterParams,
  ReportFilterQuery,
  type ReportFilter,
} from "../../read-model/report-filter.ts";

/** `GET /reports/spending`. */
export const SpendingQuerySchema = z.object({
  ...DateRangeQuery,
  ...ReportFilterQuery,
  groupBy: z.enum(["category", "payee", "tag"]).default("category"),
  depth: z.coerce.number().int().min(1).max(100).optional(),
});
export type SpendingQuery = z.infer<typeof SpendingQuerySchema>;

export const SpendingSchema = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(["category", "payee", "tag"]),
  currency: z.string(),
  total: z.string(),
  groups: z.array(
    z.object({
      key: z.string().nullable(),
      name: z.string(),
      parentId: z.string().nullable().optional(),
      depth: z.number().int().optional(),
      amount: z.string(),
    }),
  ),
  missingRates: z.array(MissingRateSchema),
});
export type Spending = z.infer<typeof SpendingSchema>;

// Spending per category: the net of expense categories (refunds count against spending) and the
// money out of uncategorized lines; income categories and transfers are not spending.
// From the aggregates, or (filtered) from the ledger with the filter's parameters from $4.
const byCategoryOf = (rows: string) => `
select d.category_id::text as key, d.currency, ${rateInForce("d.currency", "d.day", "$3")} as rate,
  sum(case when d.category_id = 0 then d.outflow else d.inflow + d.outflow end)::text as amount,
  min(d.day)::text as first_day, max(d.day)::text as last_day
from (${rows}) d
where d.category_id = 0 or d.category_id in (select id from categories where kind = 'expense')
group by 1, 2, 3`;
const byCategorySql = byCategoryOf(categoryRowsSql("month"));
const byCategoryFilteredSql = byCategoryOf(filteredCategoryRowsSql(4));

// Payees and tags: the money that went out (transfers excluded).
const byDimensionSql = (table: "payee_days" | "tag_days", column: "payee" | "tag") => `
select x.${column} as key, x.currency, ${rateInForce("x.currency", "x.day", "$3")} as rate,
  sum(x.outflow)::text as amount, min(x.day)::text as first_day, max(x.day)::text as last_day
from ${table} x where x.day between $1 and $2 and x.outflow <> 0
group by 1, 2, 3`;

// The same from the ledger under a filter (parameters from $4); tags: each of the transaction's.
const byDimensionFilteredSql = (column: "payee" | "tag") => `
select x.key, x.currency, ${rateInForce("x.currency", "x.day", "$3")} as rate,
  sum(x.outflow)::text as amount, min(x.day)::text as first_day, max(x.day)::text as last_day
from (
  select ${column === "payee" ? "o.payee" : "tag"} as key, o.currency, o.day, o.outflow
  from (${filteredOutflowSql(4)}) o${column === "tag" ? " cross join lateral unnest(o.tags) as tag" : ""}
) x where x.outflow <> 0
group by 1, 2, 3`;
const byPayeeFilteredSql = byDimensionFilteredSql("payee");
const byTagFilteredSql = byDimensionFilteredSql("tag");

async function categories(db: pg.Pool): Promise<Category[]> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    kind: "income" | "expense";
    parent_id: string | null;
  }>("select id::text, name, kind, parent_id::text from categories");
  return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, parentId: r.parent_id }));
}

function depthOf(byId: ReadonlyMap<string, Category>, id: string): number {
  let depth = 1;
  const seen = new Set([id]);
  for (let parent = byId.get(id)?.parentId; parent; parent = byId.get(parent)?.parentId) {
    if (seen.has(parent)) break;
    seen.add(parent);
    depth++;
  }
  return depth;
}

/** The SQL of each grouping, from the aggregates or (filtered) from the ledger. */
const aggregateSql = {
  category: byCategorySql,
  payee: byDimensionSql("payee_days", "payee"),
  tag: byDimensionSql("tag_days", "tag"),
};
const filteredSql = {
  category: byCategoryFilteredSql,
  payee: byPayeeFilteredSql,
  tag: byTagFilteredSql,
};

/**
 * Spending from `from` to `to` in `base`, grouped by category (each category's amount includes
 * its subcategories; `depth` keeps the top N levels), payee or tag; biggest spending first. With
 * a `filter`, only the matching accounts, categories and tag count (read from the ledger).
 */
export async function spending(
  db: pg.Pool,
  base: string,
  range: { from: string; to: string },
  query: SpendingQuery,
  filter?: ReportFilter,
): Promise<Spending> {
  const params = [range.from, range.to, base, ...(filter ? filterParams(filter) : [])];
  const sql = filter ? filteredSql : aggregateSql;
  const head = { ...range, groupBy: query.groupBy, currency: base };
  const fmt = (minor: bigint) => formatMinor(minor, base);
  if (query.groupBy !== "category") {
    const { totals, missing } = convertRows(await sums(db, sql[query.groupBy], params), base);
    const groups = [...totals]
      .filter(([, amount]) => amount !== 0n)
      .sort(([ka, a], [kb, b]) => (a === b ? ka.localeCompare(kb) : a < b ? -1 : 1));
    // A transaction with two tags counts under both: the total is all money out, as by payee.
    const total =
      query.groupBy === "payee"
        ? groups.reduce((acc, [, amount]) => acc + amount, 0n)
        : [...convertRows(await sums(db, sql.payee, params), base).totals.values()].reduce(
            (acc, amount) => acc + amount,
            0n,
          );
    return {
      ...head,
      total: fmt(total),
      groups: groups.map(([key, amount]) => ({ key, name: key, amount: fmt(amount) })),
      missingRates: missing,
    };
  }
  const [rows, tree] = await Promise.all([sums(db, sql.category, params), categories(db)]);
  const { totals, missing } = convertRows(rows, base);
  const expense = tree.filter((c) => c.kind === "expense");
  const rolled = rollUp(expense, totals);
  const byId = new Map(expense.map((c) => [c.id, c]));
  const uncategorized = totals.get("0") ?? 0n;
  let total = uncategorized;
  const groups: Spending["groups"] = [];
  for (const category of expense) {
    const amount = rolled.get(category.id) ?? 0n;
    const depth = depthOf(byId, category.id);
    if (depth === 1) total += amount;
    if (amount === 0n || depth > (query.depth ?? Number.POSITIVE_INFINITY)) continue;
    groups.push({
      key: category.id,
      name: category.name,
      parentId: category.parentId,
      depth,
      amount: fmt(amount),
    });
  }
  groups.sort((a, b) => {
    const x = BigInt(a.amount.replace(".", ""));
    const y = BigInt(b.amount.replace(".", ""));
    return x === y ? (a.key ?? "").localeCompare(b.key ?? "") : x < y ? -1 : 1;
  });
  if (uncategorized !== 0n) {
    groups.push({
      key: null,
      name: "Uncategorized",
      parentId: null,
      depth: 1,
      amount: fmt(uncategorized),
    });
  }
  return { ...head, total: fmt(total), groups, missingRates: missing };
}
