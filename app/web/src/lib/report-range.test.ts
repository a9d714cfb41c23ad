import { describe, expect, it } from "vitest";
import { lastDayOf, monthsOf, pickOf, quickRange, rangeProblem } from "./report-range.ts";

describe("quickRange", () => {
  it("gives this month from its first day to today", () => {
    expect(quickRange("this-month", "2026-03-15")).toEqual({
      from: "2026-03-01",
      to: "2026-03-15",
    });
  });

  it("gives the whole of last month, across a year end and a leap February", () => {
    expect(quickRange("last-month", "2026-01-10")).toEqual({
      from: "2025-12-01",
      to: "2025-12-31",
    });
    expect(quickRange("last-month", "2024-03-31")).toEqual({
      from: "2024-02-01",
      to: "2024-02-29",
    });
    expect(quickRange("last-month", "2026-03-01")).toEqual({
      from: "2026-02-01",
      to: "2026-02-28",
    });
  });

  it("gives the last 12 calendar months up to today", () => {
    expect(quickRange("last-12-months", "2026-03-15")).toEqual({
      from: "2025-04-01",
      to: "2026-03-15",
    });
    expect(quickRange("last-12-months", "2026-12-31")).toEqual({
      from: "2026-01-01",
      to: "2026-12-31",
    });
  });

  it("gives the year to date and the whole of last year", () => {
    expect(quickRange("year-to-date", "2026-03-15")).toEqual({
      from: "2026-01-01",
      to: "2026-03-15",
    });
    expect(quickRange("last-year", "2026-03-15")).toEqual({ from: "2025-01-01", to: "2025-12-31" });
  });
});

describe("pickOf", () => {
  it("names the quick pick a range is, or none", () => {
    expect(pickOf({ from: "2025-04-01", to: "2026-03-15" }, "2026-03-15")).toBe("last-12-months");
    expect(pickOf({ from: "2026-02-01", to: "2026-02-28" }, "2026-03-15")).toBe("last-month");
    expect(pickOf({ from: "2026-02-02", to: "2026-02-28" }, "2026-03-15")).toBeUndefined();
    // On 1 January this month and the year to date are the same: the first in the list wins.
    expect(pickOf({ from: "2026-01-01", to: "2026-01-01" }, "2026-01-01")).toBe("this-month");
  });
});

describe("rangeProblem, lastDayOf and monthsOf", () => {
  it("refuses a half-typed date and a range that ends before it starts", () => {
    expect(rangeProblem({ from: "2026-01-01", to: "2026-01-31" })).toBeUndefined();
    expect(rangeProblem({ from: "", to: "2026-01-31" })).toBe("Enter the first day as a date.");
    expect(rangeProblem({ from: "2026-01-01", to: "2026-13-01" })).toBe(
      "Enter the last day as a date.",
    );
    expect(rangeProblem({ from: "2026-02-01", to: "2026-01-31" })).toBe(
      "The last day is before the first.",
    );
  });

  it("ends months on their last day and reads a range's months", () => {
    expect(lastDayOf("2024-02")).toBe("2024-02-29");
    expect(lastDayOf("2100-02")).toBe("2100-02-28");
    expect(lastDayOf("2026-04")).toBe("2026-04-30");
    expect(monthsOf({ from: "2025-04-01", to: "2026-03-15" })).toEqual({
      fromMonth: "2025-04",
      toMonth: "2026-03",
    });
  });
});
