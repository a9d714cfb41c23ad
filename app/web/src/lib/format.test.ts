import { afterEach, describe, expect, it } from "vitest";
import {
  asSentence,
  formatCount,
  formatDate,
  formatDateTime,
  formatMonth,
  setLocale,
} from "./format.ts";

describe("the reused formatters", () => {
  afterEach(() => {
    setLocale(undefined);
  });

  it("follow a change of locale instead of keeping the first one made", () => {
    setLocale("en-US");
    expect(formatDate("2026-03-05")).toBe("Mar 5, 2026");
    expect(formatDate("2026-03-05", "short")).toBe("3/5/26");
    expect(formatCount(1234567)).toBe("1,234,567");
    setLocale("de-DE");
    expect(formatDate("2026-03-05")).toBe("05.03.2026");
    expect(formatDate("2026-03-05", "short")).toBe("05.03.26");
    expect(formatMonth("2026-03")).toBe("März 2026");
    expect(formatCount(1234567)).toBe("1.234.567");
    setLocale("en-US");
    expect(formatDate("2026-03-05", "short")).toBe("3/5/26");
    expect(formatMonth("2026-03-31")).toBe("Mar 2026");
  });

  it("keeps the date and the date-time formats apart", () => {
    setLocale("en-US");
    expect(formatDate("2026-03-05")).toBe("Mar 5, 2026");
    expect(formatDateTime("2026-03-05T12:00:00Z")).toMatch(/^Mar 5, 2026, \d{1,2}:\d{2}/);
  });

  it("leaves a string that is not a date as it is", () => {
    expect(formatDate("soon")).toBe("soon");
  });
});

describe("asSentence", () => {
  it("capitalises an API message and ends it with a full stop, once", () => {
    expect(asSentence("the instance is not empty (it has accounts)")).toBe(
      "The instance is not empty (it has accounts).",
    );
    expect(asSentence(" already a sentence. ")).toBe("Already a sentence.");
  });
});
