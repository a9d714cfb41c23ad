// The reports' date range: plain "YYYY-MM-DD" strings and calendar arithmetic, never through
// time zones. Both ends are inclusive.
import { addMonths } from "./month.ts";

/** A report's range, both ends inclusive. */
export interface DateRange {
  from: string;
  to: string;
}

/** The quick picks beside the from/to inputs. */
export type QuickPick =
  "this-month" | "last-month" | "last-12-months" | "year-to-date" | "last-year";

/** Each quick pick with its label, in the order the picker shows them. */
export const quickPicks: readonly (readonly [QuickPick, string])[] = [
  ["this-month", "This month"],
  ["last-month", "Last month"],
  ["last-12-months", "Last 12 months"],
  ["year-to-date", "Year to date"],
  ["last-year", "Last year"],
];

/** The last day of `month` ("YYYY-MM"): lastDayOf("2024-02") is "2024-02-29". */
export function lastDayOf(month: string): string {
  const [y = 1970, m = 1] = month.split("-").map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(days).padStart(2, "0")}`;
}

/**
 * The range a quick pick means on `today`. "Last 12 months" is the 12 calendar months up to and
 * including this one (its first day to today), so a monthly report has twelve points.
 */
export function quickRange(pick: QuickPick, today: string): DateRange {
  const month = today.slice(0, 7);
  const year = Number(today.slice(0, 4));
  switch (pick) {
    case "this-month":
      return { from: `${month}-01`, to: today };
    case "last-month": {
      const last = addMonths(month, -1);
      return { from: `${last}-01`, to: lastDayOf(last) };
    }
    case "last-12-months":
      return { from: `${addMonths(month, -11)}-01`, to: today };
    case "year-to-date":
      return { from: `${String(year)}-01-01`, to: today };
    case "last-year":
      return { from: `${String(year - 1)}-01-01`, to: `${String(year - 1)}-12-31` };
  }
}

/** The quick pick that gives exactly `range` on `today`, if any (the first when several do). */
export function pickOf(range: DateRange, today: string): QuickPick | undefined {
  return quickPicks
    .map(([pick]) => pick)
    .find((pick) => {
      const r = quickRange(pick, today);
      return r.from === range.from && r.to === range.to;
    });
}

const PLAIN_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Why `range` cannot be reported on, or undefined when it can. */
export function rangeProblem(range: DateRange): string | undefined {
  if (!PLAIN_DATE.test(range.from)) return "Enter the first day as a date.";
  if (!PLAIN_DATE.test(range.to)) return "Enter the last day as a date.";
  if (range.to < range.from) return "The last day is before the first.";
  return undefined;
}

/** The months ("YYYY-MM") a range meets, first and last: what the net-worth report takes. */
export function monthsOf(range: DateRange): { fromMonth: string; toMonth: string } {
  return { fromMonth: range.from.slice(0, 7), toMonth: range.to.slice(0, 7) };
}
