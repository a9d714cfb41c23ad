import type pg from "pg";
import { isCurrency } from "../../domain/currencies.ts";
import { formatRate, parseRate, parseRatesCsv, type RateLine } from "../../domain/fx.ts";
import { errors, type FieldProblem } from "../../errors.ts";
import { isPlainDate } from "../../domain/dates.ts";
import { trimRate } from "../../read-model/conversion.ts";
import type { ExchangeRateJson } from "./schema.ts";

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
