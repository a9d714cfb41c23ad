import { currencyExponent } from "./currencies.ts";

/**
 * Exchange rates and conversion to the household's base currency.
 *
 * A rate says what one unit of a currency is worth in the base currency ("1.0834": one USD is
 * 1.0834 EUR). Rates are exact decimals (at most 12 decimals), never floats. The rate in force on
 * a day is the latest rate entered for a day on or before it.
 *
 * Rounding rule: an amount is converted exactly (minor units x rate, rescaled between the two
 * currencies' minor units) and then rounded once to the base currency's minor unit, half away
 * from zero (2.5 cents -> 3 cents, -2.5 cents -> -3 cents). Reports convert each day's total per
 * currency and report line, then add up the converted values.
 */

/** The most decimals a rate may have; the column is numeric(38, 12). */
export const RATE_DECIMALS = 12;

const RATE = /^([0-9]{1,26})(?:\.([0-9]{1,12}))?$/;

/** An exact decimal as an integer numerator over a power of ten. */
export interface Rate {
  /** The rate times 10^scale. */
  units: bigint;
  scale: number;
}

/** Parses a positive decimal rate ("1.0834"); undefined when it is not one. */
export function parseRate(text: string): Rate | undefined {
  const match = RATE.exec(text);
  if (match === null) return undefined;
  const [, whole = "", fraction = ""] = match;
  const units = BigInt(whole + fraction);
  if (units === 0n) return undefined;
  return { units, scale: fraction.length };
}

/** The canonical text of a rate: no trailing zeros after the point ("1.5", "2"). */
export function formatRate(rate: Rate): string {
  const digits = rate.units.toString().padStart(rate.scale + 1, "0");
  const whole = digits.slice(0, digits.length - rate.scale);
  const fraction = digits.slice(digits.length - rate.scale).replace(/0+$/, "");
  return fraction === "" ? whole : `${whole}.${fraction}`;
}

/** numerator / denominator rounded to an integer, half away from zero; denominator > 0. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const quotient = (magnitude * 2n + denominator) / (denominator * 2n);
  return negative ? -quotient : quotient;
}

/**
 * Converts `minor` units of `from` into minor units of `to` at `rate` (one `from` is worth `rate`
 * `to`), rounding once, half away from zero.
 */
export function convertMinor(minor: bigint, from: string, rate: Rate, to: string): bigint {
  const shift = currencyExponent(to) - currencyExponent(from) - rate.scale;
  if (shift >= 0) return minor * rate.units * 10n ** BigInt(shift);
  return divideRounded(minor * rate.units, 10n ** BigInt(-shift));
}

/** One line of an uploaded rates file. */
export interface RateLine {
  /** The 1-based line of the file it came from; 0 when entered by hand. */
  line: number;
  day: string;
  currency: string;
  rate: string;
}

/** What is wrong with a line of an uploaded file (1-based line numbers). */
export interface CsvProblem {
  line: number;
  message: string;
}

/**
 * Parses a rates CSV: `date,currency,rate` per line ("2026-01-31,USD,0.9213"), an optional header
 * line naming those columns, blank lines ignored. Every bad line is reported; the caller stores
 * nothing unless there are none.
 */
export function parseRatesCsv(
  text: string,
  checks: { isDate: (text: string) => boolean; isCurrency: (code: string) => boolean },
): { lines: RateLine[]; problems: CsvProblem[] } {
  const lines: RateLine[] = [];
  const problems: CsvProblem[] = [];
  const rows = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  rows.forEach((raw, index) => {
    const line = index + 1;
    const row = raw.trim();
    if (row === "") return;
    const cells = row.split(/[,;]/).map((cell) => cell.trim().replace(/^"(.*)"$/, "$1"));
    if (index === 0 && /^date$/i.test(cells[0] ?? "")) return;
    if (cells.length !== 3) {
      problems.push({ line, message: "expected 3 columns: date,currency,rate" });
      return;
    }
    const [day = "", currency = "", rate = ""] = cells;
    if (!checks.isDate(day))
      problems.push({ line, message: `${JSON.stringify(day)} is not a date YYYY-MM-DD` });
    else if (!checks.isCurrency(currency))
      problems.push({ line, message: `${JSON.stringify(currency)} is not a supported currency` });
    else if (parseRate(rate) === undefined)
      problems.push({
        line,
        message: `${JSON.stringify(rate)} is not a positive decimal rate with at most ${RATE_DECIMALS} decimals`,
      });
    else lines.push({ line, day, currency, rate });
  });
  return { lines, problems };
}
