import { describe, expect, it } from "vitest";
import { addMonths, budgetLines, budgetMonthOf, budgetPeriod } from "./budgets.ts";

describe("budget months", () => {
  it("are calendar months when they start on the 1st, leap February included", () => {
    expect(budgetPeriod("2024-02", 1)).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    expect(budgetPeriod("2026-12", 1)).toEqual({ from: "2026-12-01", to: "2026-12-31" });
  });

  it("run from payday to the day before the next payday", () => {
    expect(budgetPeriod("2026-01", 25)).toEqual({ from: "2026-01-25", to: "2026-02-24" });
    expect(budgetPeriod("2026-12", 15)).toEqual({ from: "2026-12-15", to: "2027-01-14" });
    expect(budgetPeriod("2026-02", 28)).toEqual({ from: "2026-02-28", to: "2026-03-27" });
  });

  it("place a date in the month whose period holds it", () => {
    expect(budgetMonthOf("2026-02-24", 25)).toBe("2026-01");
    expect(budgetMonthOf("2026-02-25", 25)).toBe("2026-02");
    expect(budgetMonthOf("2026-01-03", 5)).toBe("2025-12");
    expect(budgetMonthOf("2026-01-03", 1)).toBe("2026-01");
  });

  it("refuse start days some month lacks", () => {
    expect(() => budgetPeriod("2026-01", 29)).toThrow(RangeError);
    expect(() => budgetMonthOf("2026-01-01", 0)).toThrow(RangeError);
  });

  it("do month arithmetic across years", () => {
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2025-12", 13)).toBe("2027-01");
  });
});

describe("budgetLines", () => {
  const months = [
    { month: "2026-01", budgeted: 40000n, spent: -30000n },
    { month: "2026-02", budgeted: 40000n, spent: -55000n },
    { month: "2026-03", budgeted: 40000n, spent: 2000n },
  ];

  it("starts every month afresh without rollover", () => {
    expect(budgetLines(months, false).map((l) => [l.rolledOver, l.available])).toEqual([
      [0n, 10000n],
      [0n, -15000n],
      [0n, 42000n],
    ]);
  });

  it("carries leftovers and overspending into the next month with rollover", () => {
    expect(budgetLines(months, true).map((l) => [l.rolledOver, l.available])).toEqual([
      [0n, 10000n],
      [10000n, -5000n],
      [-5000n, 37000n],
    ]);
  });
});
