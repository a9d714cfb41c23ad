// What the dashboard says about the budget month so far: how much is left for each remaining
// day, in exact minor units (a per-day figure is rounded down, never promising money that is
// not there).
import { exponentOf, fromMinor, toMinor } from "./money.ts";

/** What is left to spend each day, that the month is over budget, or that it has ended. */
export type LeftToSpend =
  | { kind: "per-day"; perDay: string; days: number }
  | { kind: "over"; over: string }
  | { kind: "ended"; left: string };

const DAY_MS = 86_400_000;

/** Days from `from` to `to` ("YYYY-MM-DD"), plain calendar days: 2026-03-01..03-31 is 30. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * `available` (a decimal string in `currency`) spread over the days left of the budget period
 * `from`..`to`, today included; before the period starts, over all of it. A negative amount is
 * "over budget by" its size, whatever the day; after the period, what was left.
 */
export function leftToSpend(
  available: string,
  currency: string,
  period: { from: string; to: string },
  today: string,
): LeftToSpend {
  const exponent = exponentOf(currency);
  const minor = toMinor(available, exponent) ?? 0n;
  if (minor < 0n) return { kind: "over", over: fromMinor(-minor, exponent) };
  if (today > period.to) return { kind: "ended", left: fromMinor(minor, exponent) };
  const start = today < period.from ? period.from : today;
  const days = daysBetween(start, period.to) + 1;
  return { kind: "per-day", perDay: fromMinor(minor / BigInt(days), exponent), days };
}

/**
 * What was rolled over into the budgeted categories, so the month's totals can be drawn as one
 * budget: available = budgeted + rolled over + spent (spent negative for money out).
 */
export function rolledOverOf(
  totals: { budgeted: string; spent: string; available: string },
  currency: string,
): string {
  const exponent = exponentOf(currency);
  const minor = (text: string) => toMinor(text, exponent) ?? 0n;
  return fromMinor(
    minor(totals.available) - minor(totals.budgeted) - minor(totals.spent),
    exponent,
  );
}
