import type pg from "pg";
import { z } from "zod";
import { errors } from "../../errors.ts";
import { daysInMonth, PlainMonthSchema } from "../../domain/dates.ts";
import { formatMinor } from "../../http/amounts.ts";
import {
  convertRows,
  MissingRateSchema,
  rateInForce,
  type SumRow,
} from "../../read-model/conversion.ts";
import { AccountIdsSchema } from "../../read-model/report-filter.ts";

/** The most points one net-worth report has: fifty years of months. */
export const MAX_POINTS = 600;

/** `GET /reports/net-worth`: months "YYYY-MM"; by default the twelve months up to this one. */
export const NetWorthQuerySchema = z.object({
  from: PlainMonthSchema.optional(),
  to: PlainMonthSchema.optional(),
  interval: z.literal("month").default("month"),
  accountId: AccountIdsSchema.optional(),
});
export type NetWorthQuery = z.infer<typeof NetWorthQuerySchema>;

/** The report: at each month end, assets, liabilities and their sum, in the base currency. */
export const NetWorthSchema = z.object({
  interval: z.literal("month"),
  currency: z.string(),
  points: z.array(
    z.object({ date: z.string(), assets: z.string(), liabilities: z.string(), net: z.string() }),
  ),
  missingRates: z.array(MissingRateSchema),
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

// The accounts and their trigger-kept monthly sums are small (accounts x months): read whole and
// added up here, where a running sum is one pass.
// $accounts: the account ids to count, or null for every account.
const accountsSql = `
select a.id::text, a.currency, a.opening_balance::text as opening, a.opening_date::text as opened,
  a.type in ('loan', 'credit_card') as liability
from accounts a where $1::bigint[] is null or a.id = any($1::bigint[])`;
const monthsSql = `
select account_id::text, to_char(month, 'YYYY-MM') as month, amount::text
from account_months where month <= $1::date and amount <> 0
  and ($2::bigint[] is null or account_id = any($2::bigint[]))
order by month`;
// The rate in force on each month end, per currency other than the base.
const ratesSql = `
select c.currency, m.month_end::text as day, ${rateInForce("c.currency", "m.month_end", "$3")} as rate
from (
  select distinct currency from accounts
  where currency <> $3 and ($4::bigint[] is null or id = any($4::bigint[]))
) c
cross join (
  select ($1::date + (i + 1) * interval '1 month')::date - 1 as month_end
  from generate_series(0, $2::int - 1) as i
) m`;

interface AccountRow {
  id: string;
  currency: string;
  opening: string;
  opened: string;
  liability: boolean;
}

/** Each account's balance at each month end, as a report sum of its side. */
function balanceRows(
  accounts: readonly AccountRow[],
  moves: ReadonlyMap<string, { month: number; amount: bigint }[]>,
  span: { first: number; last: number },
  rateOf: ReadonlyMap<string, string | null>,
): SumRow[] {
  const { first, last } = span;
  const rows: SumRow[] = [];
  for (const account of accounts) {
    const list = moves.get(account.id) ?? [];
    let running = 0n;
    let next = 0;
    for (let index = first; index <= last; index++) {
      for (; next < list.length && (list[next]?.month ?? Infinity) <= index; next++) {
        running += list[next]?.amount ?? 0n;
      }
      const date = monthEnd(index);
      const opening = account.opened <= date ? BigInt(account.opening) : 0n;
      rows.push({
        key: `${date} ${account.liability ? "liabilities" : "assets"}`,
        currency: account.currency,
        rate: rateOf.get(`${account.currency} ${date}`) ?? null,
        amount: (running + opening).toString(),
        first_day: date,
        last_day: date,
      });
    }
  }
  return rows;
}

/**
 * Assets, liabilities and net worth at each month end from `from` to `to` ("YYYY-MM"): an
 * account's balance at a month end is its opening balance (once opened) plus its monthly sums
 * up to then; loans and credit cards are liabilities, every other account (archived ones too)
 * an asset. Each side's balances per currency are converted with the rate in force on the month
 * end. With `accountIds` (checked to exist), only those accounts count.
 */
export async function netWorth(
  db: pg.Pool,
  base: string,
  range: { from: string; to: string },
  accountIds: readonly string[] | null = null,
): Promise<NetWorth> {
  const first = monthIndex(range.from);
  const last = monthIndex(range.to);
  const [accounts, months, rates] = await Promise.all([
    db.query<AccountRow>(accountsSql, [accountIds]),
    db.query<{ account_id: string; month: string; amount: string }>(monthsSql, [
      `${range.to}-01`,
      accountIds,
    ]),
    db.query<{ currency: string; day: string; rate: string | null }>(ratesSql, [
      `${range.from}-01`,
      last - first + 1,
      base,
      accountIds,
    ]),
  ]);
  const rateOf = new Map(rates.rows.map((r) => [`${r.currency} ${r.day}`, r.rate]));
  const moves = new Map<string, { month: number; amount: bigint }[]>();
  for (const row of months.rows) {
    const list = moves.get(row.account_id) ?? [];
    list.push({ month: monthIndex(row.month), amount: BigInt(row.amount) });
    moves.set(row.account_id, list);
  }
  const rows = balanceRows(accounts.rows, moves, { first, last }, rateOf);
  // One sum per side, currency and month end, converted once (as documented).
  const merged = new Map<string, SumRow>();
  for (const row of rows) {
    const id = `${row.key} ${row.currency}`;
    const seen = merged.get(id);
    if (seen === undefined) merged.set(id, row);
    else seen.amount = (BigInt(seen.amount) + BigInt(row.amount)).toString();
  }
  const { totals, missing } = convertRows([...merged.values()], base);
  const points: NetWorth["points"] = [];
  for (let index = first; index <= last; index++) {
    const date = monthEnd(index);
    const assets = totals.get(`${date} assets`) ?? 0n;
    const liabilities = totals.get(`${date} liabilities`) ?? 0n;
    points.push({
      date,
      assets: formatMinor(assets, base),
      liabilities: formatMinor(liabilities, base),
      net: formatMinor(assets + liabilities, base),
    });
  }
  return { interval: "month", currency: base, points, missingRates: missing };
}

function monthEnd(index: number): string {
  const days = daysInMonth(Math.floor(index / 12), (index % 12) + 1);
  return `${monthText(index)}-${String(days).padStart(2, "0")}`;
}
