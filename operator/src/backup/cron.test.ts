import { describe, expect, it } from "vitest";
import { longestInterval, nextRun, parseCron } from "./cron.ts";

const next = (cron: string, after: string) =>
  nextRun(parseCron(cron), new Date(after)).toISOString();

describe("parseCron", () => {
  it("expands ranges, steps, lists and names", () => {
    const s = parseCron("*/15 1-3 1,15 jan-mar MON-FRI");
    expect([...s.minutes]).toEqual([0, 15, 30, 45]);
    expect([...s.hours]).toEqual([1, 2, 3]);
    expect([...s.daysOfMonth]).toEqual([1, 15]);
    expect([...s.months]).toEqual([1, 2, 3]);
    expect([...s.daysOfWeek]).toEqual([1, 2, 3, 4, 5]);
  });

  it("names the field that is out of range", () => {
    expect(() => parseCron("60 * * * *")).toThrow(/minute "60" is not in 0-59/);
    expect(() => parseCron("0 24 * * *")).toThrow(/hour "24"/);
    expect(() => parseCron("0 0 * 13 *")).toThrow(/month "13"/);
    expect(() => parseCron("0 0 * *")).toThrow(/5 fields/);
  });
});

describe("nextRun", () => {
  it("finds the next daily run, today or tomorrow", () => {
    expect(next("0 3 * * *", "2025-01-01T02:59:30Z")).toBe("2025-01-01T03:00:00.000Z");
    expect(next("0 3 * * *", "2025-01-01T03:00:00Z")).toBe("2025-01-02T03:00:00.000Z");
  });

  it("treats 7 as Sunday and ORs day-of-month with day-of-week", () => {
    expect(next("0 0 * * 7", "2025-01-01T00:00:00Z")).toBe("2025-01-05T00:00:00.000Z");
    // The 10th (a Friday) or any Monday: Monday the 6th comes first.
    expect(next("0 0 10 * 1", "2025-01-01T00:00:00Z")).toBe("2025-01-06T00:00:00.000Z");
  });

  it("crosses months and years", () => {
    expect(next("30 12 1 * *", "2025-12-15T00:00:00Z")).toBe("2026-01-01T12:30:00.000Z");
    expect(next("0 0 29 2 *", "2025-03-01T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
  });

  it("refuses a schedule that never fires", () => {
    expect(() => nextRun(parseCron("0 0 30 2 *"), new Date("2025-01-01T00:00:00Z"))).toThrow(
      /never fires/,
    );
  });
});

describe("longestInterval", () => {
  it("is a day for a daily schedule and three days for weekdays-only over a weekend", () => {
    const from = new Date("2025-01-01T00:00:00Z");
    expect(longestInterval(parseCron("0 3 * * *"), from)).toBe(86_400_000);
    expect(longestInterval(parseCron("0 3 * * 1-5"), from)).toBe(3 * 86_400_000);
  });
});
