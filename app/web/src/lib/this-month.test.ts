import { describe, expect, it } from "vitest";
import { leftToSpend, rolledOverOf } from "./this-month.ts";

describe("left to spend this month", () => {
  const march = { from: "2026-03-01", to: "2026-03-31" };

  it("spreads what is left over the days left, today included", () => {
    // 157.50 over 17 days (15th..31st): 15750 / 17 = 926.47..., rounded down to 9.26.
    expect(leftToSpend("157.50", "EUR", march, "2026-03-15")).toEqual({
      kind: "per-day",
      perDay: "9.26",
      days: 17,
    });
  });

  it("gives the whole amount on the last day", () => {
    expect(leftToSpend("10.00", "EUR", march, "2026-03-31")).toEqual({
      kind: "per-day",
      perDay: "10.00",
      days: 1,
    });
  });

  it("counts the whole period before it starts", () => {
    // A payday month from the 25th: 25 Mar..24 Apr is 31 days; 31.00 / 31 = 1.00.
    const payday = { from: "2026-03-25", to: "2026-04-24" };
    expect(leftToSpend("31.00", "EUR", payday, "2026-03-10")).toEqual({
      kind: "per-day",
      perDay: "1.00",
      days: 31,
    });
  });

  it("says over budget by the amount instead of a negative daily figure", () => {
    expect(leftToSpend("-12.05", "EUR", march, "2026-03-15")).toEqual({
      kind: "over",
      over: "12.05",
    });
    expect(leftToSpend("-3", "JPY", march, "2026-04-02")).toEqual({ kind: "over", over: "3" });
  });

  it("says what was left once the period has ended", () => {
    expect(leftToSpend("4.00", "EUR", march, "2026-04-01")).toEqual({
      kind: "ended",
      left: "4.00",
    });
  });

  it("keeps exact minor units where floats would not", () => {
    // 90071992547409.93 over 3 days: 9007199254740993 / 3 = 3002399751580331 exactly.
    expect(leftToSpend("90071992547409.93", "EUR", march, "2026-03-29")).toEqual({
      kind: "per-day",
      perDay: "30023997515803.31",
      days: 3,
    });
    // 1000 yen over 3 days: 333 a day, the last yen unspread.
    expect(leftToSpend("1000", "JPY", march, "2026-03-29")).toEqual({
      kind: "per-day",
      perDay: "333",
      days: 3,
    });
  });

  it("recovers what rolled over from the month's totals", () => {
    // 200.00 budgeted, 42.50 spent, 187.50 available: 30.00 came from last month.
    expect(rolledOverOf({ budgeted: "200.00", spent: "-42.50", available: "187.50" }, "EUR")).toBe(
      "30.00",
    );
    expect(rolledOverOf({ budgeted: "200.00", spent: "-42.50", available: "157.50" }, "EUR")).toBe(
      "0.00",
    );
  });
});
