import { daysInMonth } from "./dates.ts";

/**
 * Recurring schedules: every N days, weeks, months or years from a start date, until an end date
 * or for a number of occurrences. Monthly schedules fall on a day of the month (-1: its last
 * day); a day the month lacks (31 in April, 29 in a common February) becomes its last day.
 * Yearly schedules keep the start's month and day, 29 February becoming 28 in common years.
 */
export interface Schedule {
  unit: "day" | "week" | "month" | "year";
  every: number;
  /** Monthly only: 1-31, or -1 for the last day; null keeps the start date's day. */
  dayOfMonth: number | null;
  startDate: string;
  endDate: string | null;
  /** How many occurrences in all, counted from the start; null for no limit. */
  occurrences: number | null;
}

/** Days since 1970-01-01 of a plain date; integer arithmetic only, no time zones. */
export function toDayNumber(date: string): number {
  const [year = 0, month = 1, day = 1] = date.split("-").map(Number);
  return Math.round(Date.UTC(year, month - 1, day) / 86_400_000);
}

/** The plain date of a day number. */
export function fromDayNumber(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

/** `date` moved by `days`. */
export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

function monthlyDate(year: number, month: number, wanted: number): string {
  const last = daysInMonth(year, month);
  const day = wanted === -1 ? last : Math.min(wanted, last);
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The n-th occurrence (0-based) of the schedule, before end date and count limits. */
export function nthOccurrence(schedule: Schedule, n: number): string {
  const [year = 0, month = 1, day = 1] = schedule.startDate.split("-").map(Number);
  switch (schedule.unit) {
    case "day":
      return addDays(schedule.startDate, n * schedule.every);
    case "week":
      return addDays(schedule.startDate, n * schedule.every * 7);
    case "month": {
      const index = year * 12 + month - 1 + n * schedule.every;
      return monthlyDate(Math.floor(index / 12), (index % 12) + 1, schedule.dayOfMonth ?? day);
    }
    case "year":
      return monthlyDate(year + n * schedule.every, month, day);
  }
}

// An occurrence index at or before the first occurrence on or after `from`, so a window long
// after the start is not walked to from the start.
function firstCandidate(schedule: Schedule, from: string): number {
  const months = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7));
  switch (schedule.unit) {
    case "day":
    case "week": {
      const step = schedule.every * (schedule.unit === "week" ? 7 : 1);
      const gap = toDayNumber(from) - toDayNumber(schedule.startDate);
      return gap > 0 ? Math.floor(gap / step) : 0;
    }
    case "month": {
      const gap = months(from) - months(schedule.startDate);
      return gap > 0 ? Math.max(0, Math.floor(gap / schedule.every) - 1) : 0;
    }
    case "year": {
      const gap = Number(from.slice(0, 4)) - Number(schedule.startDate.slice(0, 4));
      return gap > 0 ? Math.max(0, Math.floor(gap / schedule.every) - 1) : 0;
    }
  }
}

// A bound on any one expansion, so a daily schedule over centuries cannot exhaust memory.
const MAX_EXPANSION = 10_000;

/**
 * The occurrences falling in [from, to] (inclusive), in order. Monthly occurrences before the
 * start date (a day of month earlier than the start's day) are not occurrences.
 */
export function occurrencesBetween(schedule: Schedule, from: string, to: string): string[] {
  const found: string[] = [];
  const limit = schedule.occurrences ?? Number.POSITIVE_INFINITY;
  const end = schedule.endDate !== null && schedule.endDate < to ? schedule.endDate : to;
  let n = firstCandidate(schedule, from);
  // A monthly day earlier than the start's day makes occurrence 0 fall before the start: it is
  // not an occurrence, and does not count towards the limit.
  const shift = nthOccurrence(schedule, 0) < schedule.startDate ? 1 : 0;
  for (let walked = 0; n < limit + shift && walked < MAX_EXPANSION; n++, walked++) {
    const date = nthOccurrence(schedule, n);
    if (date > end) break;
    if (date >= from && date >= schedule.startDate) found.push(date);
  }
  return found;
}
