import type pg from "pg";
import { z } from "zod";
import { formatMinor } from "../../http/amounts.ts";
import { addDays, toDayNumber } from "../../domain/schedules.ts";
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
  filterParams,
  ReportFilterQuery,
  type ReportFilter,
} from "../../read-model/report-filter.ts";

/** `GET /reports/cashflow`. */
export const CashflowQuerySchema = z.object({
  ...DateRangeQuery,
  ...ReportFilterQuery,
  interval: z.enum(["month", "week"]).default("month"),
});
export type CashflowQuery = z.infer<typeof CashflowQuerySchema>;

export const CashflowSchema = z.object({
  from: z.string(),
  to: z.string(),
  interval: z.enum(["month", "week"]),
  currency: z.string(),
  points: z.array(
    z.object({ start: z.string(), income: z.string(), expense: z.string(), net: z.string() }),
  ),
  missingRates: z.array(MissingRateSchema),
});
export type Cashflow = z.infer<typeof CashflowSchema>;

// Income is the net of income categories plus uncategorized money in; expense the net of expense
// categories plus uncategorized money out. A refund booked to an expense category lowers the
// expense. Transfers between the household's accounts are neither. Weeks start on Monday. The
// rows come from the aggregates or, filtered, from the ledger (the filter's parameters from $5).
const cashflowSql = (rows: string) => `
select to_char(date_trunc($4, d.day::timestamp), 'YYYY-MM-DD') || ' ' || d.side as key,
  d.currency, ${rateInForce("d.currency", "d.day", "$3")} as rate,
  sum(d.amount)::text as amount, min(d.day)::text as first_day, max(d.day)::text as last_day
from (
  select r.day, r.currency, s.side, s.amount
  from (${rows}) r left join categories k on k.id = r.category_id
  cross join lateral (values
    (coalesce(k.kind, 'income'), case when k.id is null then r.inflow else r.inflow + r.outflow end),
    ('expense', case when k.id is null then r.outflow else 0 end)
  ) s (side, amount)
) d
group by 1, 2, 3`;
const byMonth = cashflowSql(categoryRowsSql("month"));
const byWeek = cashflowSql(categoryRowsSql("week"));
const filtered = cashflowSql(filteredCategoryRowsSql(5));

/** The first day of each interval that meets [from, to], in order. */
export function intervalStarts(from: string, to: string, interval: "month" | "week"): string[] {
  const starts: string[] = [];
  if (interval === "week") {
    // 1970-01-05 was a Monday.
    const monday = toDayNumber(from) - ((((toDayNumber(from) - 4) % 7) + 7) % 7);
    for (let day = addDays("1970-01-01", monday); day <= to; day = addDays(day, 7))
      starts.push(day);
    return starts;
  }
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  for (;;) {
    const start = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-01`;
    if (start > to) return starts;
    starts.push(start);
    month = month === 12 ? 1 : month + 1;
    if (month === 1) year++;
  }
}

/**
 * Income, expense and net per month or week from `from` to `to`, in `base`; with a `filter`, of
 * the matching accounts, categories and tag only (read from the ledger).
 */
export async function cashflow(
  db: pg.Pool,
  base: string,
  range: { from: string; to: string },
  interval: "month" | "week",
  filter?: ReportFilter,
): Promise<Cashflow> {
  const params = [range.from, range.to, base, interval];
  const rows = filter
    ? await sums(db, filtered, [...params, ...filterParams(filter)])
    : await sums(db, interval === "month" ? byMonth : byWeek, params);
  const { totals, missing } = convertRows(rows, base);
  const points = intervalStarts(range.from, range.to, interval).map((start) => {
    const income = totals.get(`${start} income`) ?? 0n;
    const expense = totals.get(`${start} expense`) ?? 0n;
    return {
      start,
      income: formatMinor(income, base),
      expense: formatMinor(expense, base),
      net: formatMinor(income + expense, base),
    };
  });
  return { ...range, interval, currency: base, points, missingRates: missing };
}
