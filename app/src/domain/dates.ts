import { z } from "zod";

const PLAIN_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/**
 * Whether `text` is a calendar date "YYYY-MM-DD" (2026-02-30 is not). Checked with integer
 * arithmetic on the parts: plain dates never pass through a time zone. Years 1000 to 9999 only.
 */
export function isPlainDate(text: string): boolean {
  const match = PLAIN_DATE.exec(text);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/** The number of days of `month` (1-12) in `year` of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// The shapes as patterns, years 1000 to 9999 like the checks: the OpenAPI document states them, so
// clients and fuzzers send what the server can accept (PostgreSQL has no year 0).
const DATE_PATTERN = /^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
const MONTH_PATTERN = /^[1-9][0-9]{3}-(0[1-9]|1[0-2])$/;
const NOT_A_DATE = "is not a calendar date in the form YYYY-MM-DD";

/** A plain calendar date in the API: "YYYY-MM-DD", the pattern plus the days of each month. */
export const PlainDateSchema = z
  .string()
  .regex(DATE_PATTERN, { message: NOT_A_DATE, abort: true })
  .refine(isPlainDate, { message: NOT_A_DATE });

/**
 * A date in a path: any string passes here, and the service answers one that is no date like a
 * date it has nothing for. The pattern is for the OpenAPI document.
 */
export const PathDateSchema = z.string().meta({ pattern: DATE_PATTERN.source });

/** A calendar month in the API: "YYYY-MM". Every month schema of the API is this one. */
export const PlainMonthSchema = z
  .string()
  .regex(MONTH_PATTERN, { message: "is not a month in the form YYYY-MM" });
