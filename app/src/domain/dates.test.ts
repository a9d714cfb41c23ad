import { describe, expect, it } from "vitest";
import { z } from "zod";
import { daysInMonth, isPlainDate, PlainDateSchema, PlainMonthSchema } from "./dates.ts";

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

describe("the date and month schemas", () => {
  it("refuse year 0 and other years before 1000, which PostgreSQL cannot store or we refuse", () => {
    expect(PlainMonthSchema.safeParse("0000-01").success).toBe(false);
    expect(PlainMonthSchema.safeParse("0999-12").success).toBe(false);
    expect(PlainMonthSchema.safeParse("1000-01").success).toBe(true);
    expect(PlainDateSchema.safeParse("0000-01-01").success).toBe(false);
  });

  it("name one problem per field, the pattern's or the calendar's", () => {
    expect(PlainDateSchema.safeParse("").error?.issues).toHaveLength(1);
    expect(PlainDateSchema.safeParse("2026-02-30").error?.issues).toHaveLength(1);
  });

  it("state their shape as a pattern in the OpenAPI document, refusing what the checks refuse", () => {
    for (const [schema, refused] of [
      [PlainDateSchema, ["0000-01-01", "2026-13-01", "2026-01-32", ""]],
      [PlainMonthSchema, ["0000-01", "2026-00", "2026-13", "2026-1"]],
    ] as const) {
      const { pattern } = z.toJSONSchema(schema, { io: "input" });
      expect(typeof pattern).toBe("string");
      for (const text of refused) expect(new RegExp(String(pattern)).test(text)).toBe(false);
    }
  });
});
