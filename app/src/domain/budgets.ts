import { daysInMonth } from "./dates.ts";

/**
 * Budget months. With a start day d (payday months, 1 to 28), the budget month "YYYY-MM" runs
 * from day d of that month to the day before day d of the next one; d = 1 gives calendar months.
 */

/** A month as a running index (year * 12 + month - 1), for arithmetic. */
export function monthIndex(month: string): number {
  const [year = "0", number = "1"] = month.split("-");
  return Number(year) * 12 + Number(number) - 1;
}

/** The month "YYYY-MM" of a running index. */
export function monthOf(index: number): string {
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** `month` moved by `delta` months. */
export function addMonths(month: string, delta: number): string {
  return monthOf(monthIndex(month) + delta);
}

function day(month: string, dayOfMonth: number): string {
  return `${month}-${String(dayOfMonth).padStart(2, "0")}`;
}

/** The first and last day (inclusive) of budget month `month` starting on `startDay`. */
export function budgetPeriod(month: string, startDay: number): { from: string; to: string } {
  checkStartDay(startDay);
  const next = addMonths(month, 1);
  if (startDay === 1) {
    const [year = 0, number = 1] = month.split("-").map(Number);
    return { from: day(month, 1), to: day(month, daysInMonth(year, number)) };
  }
  return { from: day(month, startDay), to: day(next, startDay - 1) };
}

/** The budget month a date ("YYYY-MM-DD") falls in, for months starting on `startDay`. */
export function budgetMonthOf(date: string, startDay: number): string {
  checkStartDay(startDay);
  const month = date.slice(0, 7);
  return Number(date.slice(8, 10)) >= startDay ? month : addMonths(month, -1);
}

function checkStartDay(startDay: number): void {
  if (!Number.isInteger(startDay) || startDay < 1 || startDay > 28) {
    throw new RangeError(`a budget month starts on day 1 to 28, not ${startDay}`);
  }
}

/** One category's budget month as input: what was budgeted and the net spent (negative = out). */
export interface BudgetMonthInput {
  month: string;
  budgeted: bigint;
  /** Net money of the month in the category's subtree: spending negative, refunds positive. */
  spent: bigint;
}

/** One category's budget month as reported. */
export interface BudgetMonthLine extends BudgetMonthInput {
  /** What the previous month left (positive) or overspent (negative), when rolling over. */
  rolledOver: bigint;
  /** budgeted + rolledOver + spent: what is left to spend (negative when overspent). */
  available: bigint;
}

/**
 * Walks a category's budget months in order. Without rollover every month starts afresh; with it,
 * what a month has left, or overspent, carries into the next. Months must be consecutive and
 * start with the first month the category had a budget (nothing rolls into that one).
 */
export function budgetLines(
  months: readonly BudgetMonthInput[],
  rollover: boolean,
): BudgetMonthLine[] {
  const lines: BudgetMonthLine[] = [];
  let carried = 0n;
  for (const month of months) {
    const rolledOver = rollover ? carried : 0n;
    const available = month.budgeted + rolledOver + month.spent;
    lines.push({ ...month, rolledOver, available });
    carried = available;
  }
  return lines;
}
