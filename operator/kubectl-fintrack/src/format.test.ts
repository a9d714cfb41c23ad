import { describe, expect, it } from "vitest";
import { age, bytes, replicas, table } from "./format.ts";

describe("table", () => {
  it("aligns columns two spaces apart without padding the last one", () => {
    expect(
      table([
        ["TYPE", "STATUS", "MESSAGE"],
        ["Ready", "True", "all good"],
        ["BackupHealthy", "Unknown", "no backup yet"],
      ]),
    ).toEqual([
      "  TYPE           STATUS   MESSAGE",
      "  Ready          True     all good",
      "  BackupHealthy  Unknown  no backup yet",
    ]);
  });
});

describe("age", () => {
  const now = new Date("2026-12-06T12:00:00Z");

  it.each([
    ["2026-12-06T11:59:15Z", "45s"],
    ["2026-12-06T11:48:00Z", "12m"],
    ["2026-12-06T07:00:00Z", "5h"],
    ["2026-12-03T12:00:00Z", "3d"],
  ])("shows %s as %s", (since, shown) => {
    expect(age(since, now)).toBe(shown);
  });

  it("shows a dash for no or an unreadable time, and 0s for a clock ahead of ours", () => {
    expect(age(undefined, now)).toBe("-");
    expect(age("yesterday", now)).toBe("-");
    expect(age("2026-12-06T12:00:05Z", now)).toBe("0s");
  });
});

describe("bytes", () => {
  it("uses binary units with one decimal", () => {
    expect(bytes(512)).toBe("512 B");
    expect(bytes(1536)).toBe("1.5 KiB");
    expect(bytes(12 * 1024 * 1024)).toBe("12.0 MiB");
    expect(bytes(undefined)).toBe("-");
  });
});

describe("replicas", () => {
  it("shows ready over desired, absent counts as 0", () => {
    expect(replicas(1, 2)).toBe("1/2");
    expect(replicas(undefined, undefined)).toBe("0/0");
  });
});
