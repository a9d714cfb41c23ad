import { describe, expect, it } from "vitest";
import {
  exponentOf,
  formatMoney,
  fromMinor,
  negate,
  normalizeAmount,
  signOf,
  sumAmounts,
  toMinor,
} from "./money.ts";

describe("browser money helpers", () => {
  it("knows 0, 2 and 3 decimal currencies from Intl", () => {
    expect(exponentOf("JPY")).toBe(0);
    expect(exponentOf("EUR")).toBe(2);
    expect(exponentOf("BHD")).toBe(3);
  });

  it("parses typed amounts into minor units without floats", () => {
    expect(toMinor("12.3", 2)).toBe(1230n);
    expect(toMinor("-1,50", 2)).toBe(-150n);
    expect(toMinor("+7", 2)).toBe(700n);
    expect(toMinor(".5", 2)).toBe(50n);
    expect(toMinor("90071992547409.93", 2)).toBe(9007199254740993n);
  });

  it("refuses text, empty input and too many decimals", () => {
    expect(toMinor("abc", 2)).toBeUndefined();
    expect(toMinor("", 2)).toBeUndefined();
    expect(toMinor("1.234", 2)).toBeUndefined();
    expect(toMinor("1.5", 0)).toBeUndefined();
  });

  it("writes minor units as the API's decimal strings", () => {
    expect(fromMinor(1234n, 2)).toBe("12.34");
    expect(fromMinor(-5n, 2)).toBe("-0.05");
    expect(fromMinor(-1200n, 0)).toBe("-1200");
    expect(fromMinor(1n, 3)).toBe("0.001");
    expect(normalizeAmount("3", "EUR")).toBe("3.00");
  });

  it("sums split lines exactly where floats would drift", () => {
    expect(sumAmounts(["0.10", "0.20"], "EUR")).toBe("0.30");
    expect(sumAmounts(["-10.00", "2.55", "x"], "EUR")).toBe("-7.45");
  });

  it("signs and negates decimal strings", () => {
    expect(signOf("-0.00")).toBe(0);
    expect(signOf("-0.01")).toBe(-1);
    expect(negate("12.00")).toBe("-12.00");
    expect(negate("-12.00")).toBe("12.00");
    expect(negate("-0.00")).toBe("0.00");
  });

  it("formats signed amounts with Intl, keeping every digit", () => {
    expect(formatMoney("-12.34", "EUR", "en-US")).toBe("-€12.34");
    expect(formatMoney("12.34", "USD", "en-US")).toBe("+$12.34");
    expect(formatMoney("0.00", "USD", "en-US")).toBe("$0.00");
    expect(formatMoney("90071992547409.93", "USD", "en-US")).toBe("+$90,071,992,547,409.93");
  });
});
