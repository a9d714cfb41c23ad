import { formatAmount, money, type Money, MoneyParseError, parseAmount } from "../domain/money.ts";
import type { FieldProblem } from "../errors.ts";

/**
 * The largest amount, in minor units, one row may hold. Far above any household's money, and
 * low enough that sums over millions of rows stay inside PostgreSQL's bigint.
 */
export const MAX_MINOR = 10n ** 15n;

/**
 * Parses `text` as an amount in `currency`; on failure records why at `path` (`body.amount`)
 * and returns undefined, so one answer can list every bad field.
 */
export function amountAt(
  text: string,
  currency: string,
  path: string,
  problems: FieldProblem[],
): Money | undefined {
  try {
    const value = parseAmount(text, currency);
    if (value.minor > MAX_MINOR || value.minor < -MAX_MINOR) {
      problems.push({ path, message: `is too large: at most ${formatMinor(MAX_MINOR, currency)}` });
      return undefined;
    }
    return value;
  } catch (error) {
    if (!(error instanceof MoneyParseError)) throw error;
    problems.push({ path, message: error.message });
    return undefined;
  }
}

/** Formats minor units as PostgreSQL returns a bigint (a decimal string) in the API's form. */
export function formatMinor(minor: string | bigint, currency: string): string {
  return formatAmount(money(BigInt(minor), currency));
}
