import { describe, expect, it } from "vitest";
import { daysInMonth, isPlainDate } from "./dates.ts";

describe("isPlainDate", () => {
  it.each(["2026-01-31", "2024-02-29", "2000-02-29", "1999-12-31"])("accepts %s", (text) => {
    expect(isPlainDate(text)).toBe(true);
  });

  it.each([
    "2026-02-30",
    "2026-02-29",
    "1900-02-29",
    "2026-04-31",
    "2026-13-01",
    "2026-00-10",
    "2026-01-00",
    "2026-1-5",
    "20260105",
    "0999-01-01",
    "2026-01-05T00:00:00Z",
  ])("rejects %s", (text) => {
    expect(isPlainDate(text)).toBe(false);
  });
});

describe("daysInMonth", () => {
  it("knows the Gregorian leap years", () => {
    expect([2023, 2024, 1900, 2000].map((year) => daysInMonth(year, 2))).toEqual([28, 29, 28, 29]);
  });
});
