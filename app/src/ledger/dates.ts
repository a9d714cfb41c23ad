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

/** A plain calendar date in the API: "YYYY-MM-DD". */
export const PlainDateSchema = z
  .string()
  .refine(isPlainDate, { message: "is not a calendar date in the form YYYY-MM-DD" });
