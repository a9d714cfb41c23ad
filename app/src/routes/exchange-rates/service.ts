import type pg from "pg";
import { isCurrency } from "../../domain/currencies.ts";
import { crossRates, EcbFormatError, parseEcbXml } from "../../domain/ecb-rates.ts";
import { formatRate, parseRate, parseRatesCsv, type RateLine } from "../../domain/fx.ts";
import { errors, type FieldProblem } from "../../errors.ts";
import { isPlainDate } from "../../domain/dates.ts";
import { type MissingRate, today, trimRate } from "../../read-model/conversion.ts";
import { downloadFeed, type FeedLimits, FEED_LIMITS, shownUrl } from "./feed.ts";
import type { ExchangeRateJson, FetchResult } from "./schema.ts";

const columns = "currency, to_char(day, 'YYYY-MM-DD') as date, rate::text as rate";

function present(row: { currency: string; date: string; rate: string }): ExchangeRateJson {
  const rate = parseRate(trimRate(row.rate));
  return {
    currency: row.currency,
    date: row.date,
    rate: rate === undefined ? row.rate : formatRate(rate),
  };
}

function notBase(
  lines: readonly RateLine[],
  base: string,
  path: (index: number) => string,
): FieldProblem[] {
  return lines.flatMap((line, index) =>
    line.currency === base
      ? [{ path: path(index), message: `is the base currency ${base}, whose rate is always 1` }]
      : [],
  );
}

/** Stores rates to `base`, replacing those of the same currency and day, in one statement. */
async function store(db: pg.Pool, base: string, lines: readonly RateLine[]): Promise<void> {
  await db.query(
    `insert into exchange_rates (currency, quote, day, rate)
     select u.currency, $1, u.day, u.rate
     from unnest($2::text[], $3::date[], $4::numeric[]) as u (currency, day, rate)
     on conflict (currency, quote, day) do update set rate = excluded.rate, created_at = now()`,
    [base, lines.map((l) => l.currency), lines.map((l) => l.day), lines.map((l) => l.rate)],
  );
}

/** Enters one rate by hand; 422 for the base currency itself. */
export async function putRate(
  db: pg.Pool,
  base: string,
  line: RateLine,
): Promise<ExchangeRateJson> {
  const problems = notBase([line], base, () => "body.currency");
  if (problems.length > 0) throw errors.validation(problems);
  await store(db, base, [line]);
  return present({ currency: line.currency, date: line.day, rate: line.rate });
}

/** Stores every line of an uploaded CSV, or nothing: 422 lists each bad line as `body.line[n]`. */
export async function uploadCsv(
  db: pg.Pool,
  base: string,
  text: string,
): Promise<{ stored: number }> {
  const { lines, problems } = parseRatesCsv(text, { isDate: isPlainDate, isCurrency });
  const found: FieldProblem[] = problems.map((p) => ({
    path: `body.line[${p.line}]`,
    message: p.message,
  }));
  found.push(...notBase(lines, base, (index) => `body.line[${lines[index]?.line ?? 0}]`));
  if (found.length > 0) throw errors.validation(found);
  if (lines.length === 0) throw errors.validation([{ path: "body", message: "has no rates" }]);
  // One rate per currency and day: a file repeating one keeps its last line.
  const unique = new Map(lines.map((line) => [`${line.currency} ${line.day}`, line]));
  await store(db, base, [...unique.values()]);
  return { stored: unique.size };
}

/** Lists rates to `base`, newest first. */
export async function listRates(
  db: pg.Pool,
  base: string,
  query: {
    currency?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
  },
): Promise<{ base: string; data: ExchangeRateJson[] }> {
  const { rows } = await db.query<{ currency: string; date: string; rate: string }>(
    `select ${columns} from exchange_rates
     where quote = $1 and ($2::text is null or currency = $2)
       and ($3::date is null or day >= $3) and ($4::date is null or day <= $4)
     order by day desc, currency limit $5`,
    [base, query.currency ?? null, query.from ?? null, query.to ?? null, query.limit],
  );
  return { base, data: rows.map(present) };
}

/** Deletes the rate of a currency on a day; 404 when there is none. */
export async function deleteRate(
  db: pg.Pool,
  base: string,
  currency: string,
  day: string,
): Promise<void> {
  if (!isCurrency(currency) || !isPlainDate(day)) throw errors.notFound("the exchange rate");
  const { rowCount } = await db.query(
    "delete from exchange_rates where currency = $1 and quote = $2 and day = $3",
    [currency, base, day],
  );
  if (rowCount === 0) throw errors.notFound("the exchange rate");
}

/**
 * What reports still leave out: per currency other than `base` that the household holds money
 * in (an opening balance, a month's movements, a day's income or spending), the span from the
 * first such day to the day before the currency's first rate, or to today when it has none. The
 * rate in force on a day is the latest on or before it, so only the days before the first rate
 * can lack one.
 */
export async function missingRates(db: pg.Pool, base: string): Promise<MissingRate[]> {
  const { rows } = await db.query<MissingRate>(
    `with held as (
       select currency, opening_date as day from accounts where currency <> $1 and opening_balance <> 0
       union all
       select a.currency, greatest(m.month, a.opening_date) from account_months m
         join accounts a on a.id = m.account_id where a.currency <> $1 and m.amount <> 0
       union all
       select currency, min(day) from category_days where currency <> $1 group by currency
     ), first_rate as (
       select currency, min(day) as day from exchange_rates where quote = $1 group by currency
     )
     select h.currency, to_char(min(h.day), 'YYYY-MM-DD') as "firstDate",
       to_char(coalesce(min(f.day) - 1, $2::date), 'YYYY-MM-DD') as "lastDate"
     from held h left join first_rate f on f.currency = h.currency
     where f.day is null or h.day < f.day
     group by h.currency order by h.currency`,
    [base, today()],
  );
  return rows.filter((row) => row.firstDate <= row.lastDate);
}

/**
 * Downloads the reference rates at `source` (an ECB-format feed: rates per euro, one or more
 * days), converts them to `base` by cross rates and stores them, replacing the same days' rates
 * (entered by hand or not: the reference rate is the one asked for). A feed that cannot be read,
 * or lacks the base currency, is a 502 naming the source; nothing is stored then.
 */
export async function fetchReferenceRates(
  db: pg.Pool,
  base: string,
  source: URL,
  limits: FeedLimits = FEED_LIMITS,
): Promise<FetchResult> {
  const where = `the rate source ${shownUrl(source)}`;
  const text = await downloadFeed(source, limits);
  let days;
  try {
    days = parseEcbXml(text);
  } catch (error) {
    if (!(error instanceof EcbFormatError)) throw error;
    throw errors.upstreamFailed(`${where} sent no ECB reference rates: ${error.message}`, error);
  }
  const lines: RateLine[] = days.flatMap((day) =>
    crossRates(day, base).map((r) => ({
      line: 0,
      day: day.date,
      currency: r.currency,
      rate: r.rate,
    })),
  );
  if (lines.length === 0) {
    throw errors.upstreamFailed(`${where} has no rate for the base currency ${base}`);
  }
  await store(db, base, lines);
  return {
    source: shownUrl(source),
    dates: [...new Set(lines.map((l) => l.day))],
    currencies: [...new Set(lines.map((l) => l.currency))].sort(),
    stored: lines.length,
    missingRates: await missingRates(db, base),
  };
}
