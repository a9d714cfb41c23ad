import type pg from "pg";
import { z } from "zod";
import { errors } from "../../errors.ts";
import { daysInMonth } from "../../ledger/dates.ts";
import { formatMinor } from "../../ledger/money.ts";

const MONTH = /^([0-9]{4})-(0[1-9]|1[0-2])$/;

/** The most points one net-worth report has: fifty years of months. */
export const MAX_POINTS = 600;

/** `GET /reports/net-worth`: months "YYYY-MM"; by default the twelve months up to this one. */
export const NetWorthQuerySchema = z.object({
  from: z.string().regex(MONTH, "is not a month in the form YYYY-MM").optional(),
  to: z.string().regex(MONTH, "is not a month in the form YYYY-MM").optional(),
  interval: z.literal("month").default("month"),
});
export type NetWorthQuery = z.infer<typeof NetWorthQuerySchema>;

/** The report: at each month end, the money in every account, per currency (no conversion). */
export const NetWorthSchema = z.object({
  interval: z.literal("month"),
  points: z.array(
    z.object({
      date: z.string(),
      balances: z.array(z.object({ currency: z.string(), amount: z.string() })),
    }),
  ),
});
export type NetWorth = z.infer<typeof NetWorthSchema>;

function monthIndex(text: string): number {
  const [year = "0", month = "1"] = text.split("-");
  return Number(year) * 12 + Number(month) - 1;
}

function monthText(index: number): string {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
}

/** The month range asked for, defaulting to the twelve months up to `today`'s. */
export function reportRange(query: NetWorthQuery, today: string): { from: string; to: string } {
  const to = query.to ?? today.slice(0, 7);
  const from = query.from ?? monthText(monthIndex(to) - 11);
  if (monthIndex(to) < monthIndex(from)) {
    throw errors.validation([{ path: "query.to", message: "is before from" }]);
  }
  if (monthIndex(to) - monthIndex(from) + 1 > MAX_POINTS) {
    throw errors.validation([{ path: "query.from", message: `at most ${MAX_POINTS} months` }]);
  }
  return { from, to };
}

/**
 * One statement for every point: the balance at a month end is what the accounts hold now
 * (opening balances of accounts opened by then, plus the trigger-kept transaction totals), less
 * the transactions booked after it. Only transactions after the first month end are read, summed
 * once per currency and month (materialized, so not once per point); each point then adds up a
 * handful of those sums.
 */
const netWorthSql = `
with months as (
  -- An integer series, whose length the planner knows (a timestamp series is guessed at 1000
  -- rows, which inflates the cost estimate enough to trigger JIT compilation).
  select ($1::date + (i + 1) * interval '1 month')::date - 1 as month_end
  from generate_series(0, $2::int - 1) as i
),
later as materialized (
  select a.currency, date_trunc('month', t.booking_date::timestamp)::date as month,
    sum(t.amount) as amount
  from transactions t join accounts a on a.id = t.account_id
  where t.booking_date > $3::date
  group by 1, 2
),
currencies as (
  select currency, sum(transactions_total) as total from accounts group by currency
)
select to_char(m.month_end, 'YYYY-MM-DD') as date, c.currency,
  (c.total + coalesce(o.opening, 0) - coalesce(l.after, 0))::text as amount
from months m
cross join currencies c
left join lateral (
  select sum(a.opening_balance) as opening from accounts a
  where a.currency = c.currency and a.opening_date <= m.month_end
) o on true
left join lateral (
  select sum(l.amount) as after from later l where l.currency = c.currency and l.month > m.month_end
) l on true
order by m.month_end, c.currency`;

/** The net worth at each month end from `from` to `to` ("YYYY-MM"), per currency. */
export async function netWorth(
  db: pg.Pool,
  range: { from: string; to: string },
): Promise<NetWorth> {
  const first = monthIndex(range.from);
  const last = monthIndex(range.to);
  const { rows } = await db.query<{ date: string; currency: string; amount: string }>(netWorthSql, [
    `${range.from}-01`,
    last - first + 1,
    monthEnd(first),
  ]);
  const points: NetWorth["points"] = [];
  const byDate = new Map<string, { currency: string; amount: string }[]>();
  for (const row of rows) {
    const list = byDate.get(row.date) ?? [];
    list.push({ currency: row.currency, amount: formatMinor(row.amount, row.currency) });
    byDate.set(row.date, list);
  }
  for (let index = first; index <= last; index++) {
    const date = monthEnd(index);
    points.push({ date, balances: byDate.get(date) ?? [] });
  }
  return { interval: "month", points };
}

function monthEnd(index: number): string {
  const days = daysInMonth(Math.floor(index / 12), (index % 12) + 1);
  return `${monthText(index)}-${String(days).padStart(2, "0")}`;
}
