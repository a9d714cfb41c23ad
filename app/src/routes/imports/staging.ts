import { currencyExponent } from "../../domain/currencies.ts";
import { MoneyParseError, parseAmount } from "../../domain/money.ts";
import { fingerprint } from "../../imports/fingerprint.ts";
import type { ImportedRow, ParsedItem, RowProblem } from "../../imports/types.ts";
import { MAX_MINOR } from "../../http/amounts.ts";

/** At most this many bad rows are listed in a refusal; the count says how many there were. */
export const MAX_REPORTED = 1000;
const PROGRESS_EVERY = 20_000;

/** The columns of a commit's staging table, in the order of the COPY lines below. */
export const STAGING_COLUMNS = `seq int, line int, booking_date date, amount bigint, payee text,
  description text, external_id text, fingerprint text, splits jsonb`;

/** A decimal amount as exact minor units of `currency`; trailing zeros past its decimals are fine. */
export function toMinor(amount: string, currency: string): bigint {
  const exponent = currencyExponent(currency);
  const [whole = "", fraction = ""] = amount.split(".");
  const trimmed =
    fraction.length > exponent ? fraction.replace(/0+$/, "").padEnd(exponent, "0") : fraction;
  const minor = parseAmount(trimmed === "" ? whole : `${whole}.${trimmed}`, currency).minor;
  if (minor > MAX_MINOR || minor < -MAX_MINOR) throw new MoneyParseError(amount, "is too large");
  return minor;
}

const CANONICAL_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * toMinor as decimal text, which is what a COPY line and a fingerprint want: a plain amount that
 * fits in 15 digits (any real one) is shifted as text, with no bigint made and parsed back; the
 * rest, and every error, goes through toMinor.
 */
export function minorText(amount: string, currency: string): string {
  const match = CANONICAL_DECIMAL.exec(amount);
  const exponent = currencyExponent(currency);
  const fraction = match?.[3] ?? "";
  if (match !== null && fraction.length <= exponent) {
    const digits = `${match[2] ?? ""}${fraction.padEnd(exponent, "0")}`.replace(/^0+(?=\d)/, "");
    if (digits.length <= 15) return digits === "0" ? "0" : `${match[1] ?? ""}${digits}`;
  }
  return toMinor(amount, currency).toString();
}

// COPY text format: backslash, tab, newline and carriage return escaped; \N is null.
function copyText(value: string | undefined): string {
  if (value === undefined) return "\\N";
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}

/** What turning a file into staging lines found. */
export interface StagedTotals {
  rows: number;
  /** Whether any row has a bank id: without one, the bank-id duplicate step has nothing to do. */
  withBankIds: boolean;
  problems: RowProblem[];
  problemCount: number;
}

// Turns parsed rows into COPY lines for the staging table, noting every bad row. Rows keep
// flowing after a problem so one answer lists all of them (up to MAX_REPORTED).
export async function* stagingLines(
  batches: AsyncIterable<ParsedItem[]>,
  currency: string,
  totals: StagedTotals,
  progress: (rows: number) => void,
): AsyncGenerator<string> {
  let lines = "";
  let reported = 0;
  const problem = (p: RowProblem) => {
    totals.problemCount += 1;
    if (totals.problems.length < MAX_REPORTED) totals.problems.push(p);
  };
  for await (const items of batches) {
    for (const item of items) {
      if ("problem" in item) problem(item.problem);
      else lines += stagingLine(item.row, currency, totals, problem);
    }
    if (totals.rows - reported >= PROGRESS_EVERY) {
      reported = totals.rows;
      progress(reported);
    }
    if (lines.length > 256 * 1024) {
      yield lines;
      lines = "";
    }
  }
  if (lines !== "") yield lines;
}

// One parsed row as a COPY line; "" when the row is bad (noted as a problem) or once any row
// was: nothing will be written then, and only the rest of the problems are of interest.
function stagingLine(
  row: ImportedRow,
  currency: string,
  totals: StagedTotals,
  problem: (p: RowProblem) => void,
): string {
  if (row.currency !== undefined && row.currency !== currency) {
    problem({
      line: row.line,
      message: `the currency is ${row.currency.slice(0, 10)} but the account is in ${currency}`,
    });
    return "";
  }
  let minor: string;
  let splits: string | undefined;
  try {
    minor = minorText(row.amount, currency);
    if (row.splits !== undefined) {
      const parts = row.splits.map((s) => ({
        amount: toMinor(s.amount, currency).toString(),
        memo: s.memo.slice(0, 200),
      }));
      const total = parts.reduce((sum, p) => sum + BigInt(p.amount), 0n);
      if (total.toString() !== minor)
        throw new MoneyParseError(row.amount, "the splits do not add up to the amount");
      splits = JSON.stringify(parts);
    }
  } catch (error) {
    if (!(error instanceof MoneyParseError)) throw error;
    problem({ line: row.line, message: error.message });
    return "";
  }
  totals.rows += 1;
  if (totals.problemCount > 0) return "";
  if (row.externalId !== undefined) totals.withBankIds = true;
  // One template, not an array joined: this runs for every row of the file.
  const print = fingerprint(row.date, minor, row.payee, row.description);
  return `${String(totals.rows)}\t${String(row.line)}\t${row.date}\t${minor}\t${copyText(row.payee)}\t${copyText(row.description)}\t${copyText(row.externalId)}\t${print}\t${copyText(splits)}\n`;
}

/** Totals before the first row. */
export function noTotals(): StagedTotals {
  return { rows: 0, withBankIds: false, problems: [], problemCount: 0 };
}
