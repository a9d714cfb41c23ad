import { describe, expect, it } from "vitest";
import { occurrencesBetween, type Schedule } from "./schedules.ts";

const schedule = (overrides: Partial<Schedule>): Schedule => ({
  unit: "month",
  every: 1,
  dayOfMonth: null,
  startDate: "2026-01-31",
  endDate: null,
  occurrences: null,
  ...overrides,
});

describe("occurrencesBetween", () => {
  it("clamps the 31st to each month's last day, leap February included", () => {
    expect(
      occurrencesBetween(schedule({ startDate: "2024-01-31" }), "2024-01-01", "2024-05-31"),
    ).toEqual(["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"]);
  });

  it("falls on the last day of every month with day -1", () => {
    const last = schedule({ dayOfMonth: -1, startDate: "2025-01-15" });
    expect(occurrencesBetween(last, "2025-01-01", "2025-03-31")).toEqual([
      "2025-01-31",
      "2025-02-28",
      "2025-03-31",
    ]);
  });

  it("skips a monthly day before the start and still counts the limit from the start", () => {
    const rent = schedule({ dayOfMonth: 1, startDate: "2026-01-15", occurrences: 2 });
    expect(occurrencesBetween(rent, "2025-01-01", "2026-12-31")).toEqual([
      "2026-02-01",
      "2026-03-01",
    ]);
  });

  it("steps every two weeks across a year end", () => {
    const pay = schedule({ unit: "week", every: 2, startDate: "2025-12-19" });
    expect(occurrencesBetween(pay, "2025-12-20", "2026-01-31")).toEqual([
      "2026-01-02",
      "2026-01-16",
      "2026-01-30",
    ]);
  });

  it("keeps 29 February yearly as 28 February in common years", () => {
    const birthday = schedule({ unit: "year", startDate: "2024-02-29" });
    expect(occurrencesBetween(birthday, "2024-01-01", "2028-12-31")).toEqual([
      "2024-02-29",
      "2025-02-28",
      "2026-02-28",
      "2027-02-28",
      "2028-02-29",
    ]);
  });

  it("stops at the end date and after the count", () => {
    const daily = schedule({
      unit: "day",
      every: 3,
      startDate: "2026-02-26",
      endDate: "2026-03-07",
    });
    expect(occurrencesBetween(daily, "2026-01-01", "2026-12-31")).toEqual([
      "2026-02-26",
      "2026-03-01",
      "2026-03-04",
      "2026-03-07",
    ]);
    const three = schedule({ unit: "day", every: 1, startDate: "2026-02-27", occurrences: 3 });
    expect(occurrencesBetween(three, "2026-02-28", "2026-12-31")).toEqual([
      "2026-02-28",
      "2026-03-01",
    ]);
  });

  it("finds the occurrences of a window long after the start without walking from it", () => {
    const quarterly = schedule({ every: 3, startDate: "2000-01-31" });
    expect(occurrencesBetween(quarterly, "2026-01-01", "2026-12-31")).toEqual([
      "2026-01-31",
      "2026-04-30",
      "2026-07-31",
      "2026-10-31",
    ]);
  });
});
