import { describe, expect, it } from "vitest";
import { isoWeek, planRetention, type RetainedBackup } from "./retention.ts";

const at = (iso: string, verified = false, name = iso): RetainedBackup => ({
  name,
  time: new Date(iso),
  verified,
});

describe("planRetention", () => {
  const daily = [
    at("2025-03-01T03:00:00Z"),
    at("2025-03-02T03:00:00Z"),
    at("2025-03-02T15:00:00Z"),
    at("2025-03-03T03:00:00Z"),
    at("2025-03-04T03:00:00Z"),
  ];

  it("keeps the newest keepLast and removes the rest, newest first", () => {
    const plan = planRetention(daily, { keepLast: 2 });
    expect([...plan.keep.keys()]).toEqual(["2025-03-04T03:00:00Z", "2025-03-03T03:00:00Z"]);
    expect(plan.remove).toEqual([
      "2025-03-02T15:00:00Z",
      "2025-03-02T03:00:00Z",
      "2025-03-01T03:00:00Z",
    ]);
  });

  it("keeps the newest backup of each of the last keepDaily days", () => {
    const plan = planRetention(daily, { keepLast: 1, keepDaily: 3 });
    expect([...plan.keep.keys()].sort()).toEqual([
      "2025-03-02T15:00:00Z",
      "2025-03-03T03:00:00Z",
      "2025-03-04T03:00:00Z",
    ]);
    expect(plan.keep.get("2025-03-04T03:00:00Z")).toEqual(["last", "daily"]);
  });

  it("keeps one per ISO week and per month", () => {
    const backups = [
      at("2025-01-05T00:00:00Z"),
      at("2025-01-12T00:00:00Z"),
      at("2025-02-20T00:00:00Z"),
      at("2025-02-21T00:00:00Z"),
    ];
    expect([...planRetention(backups, { keepLast: 0, keepWeekly: 2 }).keep.keys()]).toEqual([
      "2025-02-21T00:00:00Z",
      "2025-01-12T00:00:00Z",
    ]);
    expect([...planRetention(backups, { keepLast: 0, keepMonthly: 5 }).keep.keys()]).toEqual([
      "2025-02-21T00:00:00Z",
      "2025-01-12T00:00:00Z",
    ]);
  });

  it("never removes the only verified backup", () => {
    const backups = [at("2025-03-01T00:00:00Z", true), ...daily.slice(1)];
    const plan = planRetention(backups, { keepLast: 1 });
    expect(plan.keep.get("2025-03-01T00:00:00Z")).toEqual(["only verified"]);
    expect(plan.remove).not.toContain("2025-03-01T00:00:00Z");
  });

  it("adds no extra backup when a kept one is already verified", () => {
    const backups = [at("2025-03-01T00:00:00Z", true), at("2025-03-02T00:00:00Z", true)];
    expect(planRetention(backups, { keepLast: 1 }).remove).toEqual(["2025-03-01T00:00:00Z"]);
  });
});

describe("isoWeek", () => {
  it("puts early January into the previous year's last week when ISO says so", () => {
    expect(isoWeek(new Date("2021-01-03T12:00:00Z"))).toBe("2020-W53");
    expect(isoWeek(new Date("2025-12-29T00:00:00Z"))).toBe("2026-W01");
    expect(isoWeek(new Date("2025-03-05T00:00:00Z"))).toBe("2025-W10");
  });
});
