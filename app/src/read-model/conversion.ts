import type pg from "pg";
import { z } from "zod";
import { convertMinor, parseRate } from "../domain/fx.ts";
import { errors } from "../errors.ts";
import { PlainDateSchema } from "../domain/dates.ts";

/**
 * Conversion of report sums to the base currency. Report queries sum their aggregates per report
 * line, currency and rate in force (the latest rate on or before each day); each such sum is
 * converted and rounded once, half away from zero (see domain/fx.ts), and a line's value is the
 * sum of those. A sum with no rate in force is never converted 1:1: it is left out and reported
 * in `missingRates` with the dates it spans.
 */

/** What a report could not convert: a currency lacking a rate over these dates. */
export const MissingRateSchema = z.object({
  currency: z.string(),
  firstDate: z.string(),
  lastDate: z.string(),
});
export type MissingRate = z.infer<typeof MissingRateSchema>;

/** One sum as a report query returns it. */
export interface SumRow {
  key: string;
  currency: string;
  /** The rate in force (numeric text); null for the base currency or when none is. */
  rate: string | null;
  amount: string;
  first_day: string;
  last_day: string;
}

/**
 * SQL for the rate in force for `currency` on `day` (qualified column names: unqualified ones
 * would resolve to the rates table's own columns), as
 * numeric text; null for the base currency ($base) or when no rate is on or before the day.
 */
export function rateInForce(currency: string, day: string, base: string): string {
  // CASE, so base-currency rows (most of them) never run the subquery.
  return `case when ${currency} = ${base} then null else (select r.rate::text from exchange_rates r
    where r.currency = ${currency} and r.quote = ${base} and r.day <= ${day}
    order by r.day desc limit 1) end`;
}

/** Report sums in the base currency per key, and what could not be converted. */
export interface Converted {
  totals: Map<string, bigint>;
  missing: MissingRate[];
}

/** Converts every row to `base`, adding up per key. */
export function convertRows(rows: readonly SumRow[], base: string): Converted {
  const totals = new Map<string, bigint>();
  const missing = new Map<string, MissingRate>();
  for (const row of rows) {
    let value: bigint | undefined;
    if (row.currency === base) value = BigInt(row.amount);
    else {
      const rate = row.rate === null ? undefined : parseRate(trimRate(row.rate));
      if (rate !== undefined) value = convertMinor(BigInt(row.amount), row.currency, rate, base);
    }
    if (value === undefined) {
      if (BigInt(row.amount) === 0n) continue;
      const seen = missing.get(row.currency);
      missing.set(row.currency, {
        currency: row.currency,
        firstDate: seen && seen.firstDate < row.first_day ? seen.firstDate : row.first_day,
        lastDate: seen && seen.lastDate > row.last_day ? seen.lastDate : row.last_day,
      });
      continue;
    }
    totals.set(row.key, (totals.get(row.key) ?? 0n) + value);
  }
  return {
    totals,
    missing: [...missing.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}

/** numeric(38, 12) text without its trailing zeros, as parseRate reads it. */
export function trimRate(text: string): string {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/** A date range of a report, both ends inclusive, checked in order and at most `maxDays` long. */
export const DateRangeQuery = {
  from: PlainDateSchema.optional(),
  to: PlainDateSchema.optional(),
};

/** The range asked for; by default the calendar month up to `today`. */
export function dateRange(
  query: { from?: string | undefined; to?: string | undefined },
  today: string,
): { from: string; to: string } {
  const to = query.to ?? today;
  const from = query.from ?? `${to.slice(0, 7)}-01`;
  if (to < from) throw errors.validation([{ path: "query.to", message: "is before from" }]);
  if (Number(to.slice(0, 4)) - Number(from.slice(0, 4)) > 50) {
    throw errors.validation([{ path: "query.from", message: "at most 50 years before to" }]);
  }
  return { from, to };
}

/** Today as a plain date (UTC). */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Runs a report query returning SumRow rows. */
export async function sums(db: pg.Pool, sql: string, params: unknown[]): Promise<SumRow[]> {
  return (await db.query<SumRow>(sql, params)).rows;
}

/** How coarse the rows of categoryRowsSql may be: whole calendar months, ISO weeks, or days. */
export type Grain = "month" | "week" | "day";

/**
 * SQL of the category aggregate's rows (category_id, currency, day, inflow, outflow) from $1 to
 * $2 (dates): with grain "month" ("week"), the whole calendar months (ISO weeks, Monday first) of
 * the base currency ($3) come from category_months (category_weeks), their `day` being the
 * period's first; they need no rate. Only the partial periods at the edges and other currencies
 * are read day by day. With "day" (payday months), every row is a day.
 */
export function categoryRowsSql(grain: Grain): string {
  if (grain === "day") {
    return `select category_id, currency, day, inflow, outflow from category_days
      where day between $1::date and $2::date`;
  }
  // [first, end): the periods lying wholly within [$1, $2].
  const first =
    grain === "month"
      ? "(date_trunc('month', $1::date - 1) + interval '1 month')::date"
      : "date_trunc('week', $1::date + 6)::date";
  const end = `date_trunc('${grain}', $2::date + 1)::date`;
  const table = grain === "month" ? "category_months" : "category_weeks";
  return `
    select category_id, currency, ${grain} as day, inflow, outflow from ${table}
    where currency = $3 and ${grain} >= ${first} and ${grain} < ${end}
    union all
    select category_id, currency, day, inflow, outflow from category_days
    where currency = $3 and day between $1::date and $2::date
      and (day < ${first} or day >= ${end})
    union all
    select category_id, currency, day, inflow, outflow from category_days
    where currency in (select distinct a.currency from accounts a where a.currency <> $3)
      and day between $1::date and $2::date`;
}
