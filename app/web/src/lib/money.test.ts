import { describe, expect, it } from "vitest";
import {
  amountProblemMessage,
  exponentOf,
  formatMoney,
  fromMinor,
  negate,
  normalizeAmount,
  readTypedAmount,
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

  it("formats bare amounts where the words give the direction", () => {
    expect(formatMoney("5.25", "EUR", "en-US", false)).toBe("€5.25");
    expect(formatMoney("1234.50", "EUR", "de-DE", false)).toBe("1.234,50\u00a0€");
  });
});

describe("reading amounts as people type them", () => {
  const read = (text: string, locale = "en-US", exponent = 2) =>
    readTypedAmount(text, exponent, locale);

  it("takes German and English grouping whatever the locale", () => {
    expect(read("1.234,56")).toEqual({ minor: 123456n });
    expect(read("1,234.56", "de-DE")).toEqual({ minor: 123456n });
    expect(read("1.234.567,8", "en-US")).toEqual({ minor: 123456780n });
    expect(read("1,234,567", "de-DE")).toEqual({ minor: 123456700n });
  });

  it("takes spaces, apostrophes, a currency sign and the minus sign as typography", () => {
    expect(read("1 234,56", "fr-FR")).toEqual({ minor: 123456n });
    expect(read("1\u202f234,56", "fr-FR")).toEqual({ minor: 123456n });
    expect(read("1'234.50", "de-CH")).toEqual({ minor: 123450n });
    expect(read("\u22123,00", "de-DE")).toEqual({ minor: -300n });
    expect(read("-€12.50")).toEqual({ minor: -1250n });
    expect(read("12,50 €", "de-DE")).toEqual({ minor: 1250n });
  });

  it("reads a lone separator as the decimal one unless three digits follow", () => {
    expect(read("-12,5")).toEqual({ minor: -1250n });
    expect(read("-12,5", "de-DE")).toEqual({ minor: -1250n });
    expect(read("12.5", "de-DE")).toEqual({ minor: 1250n });
    expect(read("+7")).toEqual({ minor: 700n });
    expect(read(".5")).toEqual({ minor: 50n });
    expect(read("12,")).toEqual({ minor: 1200n });
    expect(read("0,123", "en-US", 3)).toEqual({ minor: 123n });
  });

  it("lets the locale decide whether 1.234 is a thousand", () => {
    expect(read("1.234", "de-DE")).toEqual({ minor: 123400n });
    expect(read("1,234", "en-US")).toEqual({ minor: 123400n });
    expect(read("1.234", "en-US")).toEqual({ problem: "too-many-decimals" });
    expect(read("1,234", "de-DE")).toEqual({ problem: "too-many-decimals" });
    expect(read("1,234", "de-DE", 3)).toEqual({ minor: 1234n });
  });

  it("names what is wrong with text that is not an amount", () => {
    expect(read("  ")).toEqual({ problem: "empty" });
    expect(read("abc")).toEqual({ problem: "not-a-number" });
    expect(read("12-")).toEqual({ problem: "not-a-number" });
    expect(read("--5")).toEqual({ problem: "not-a-number" });
    expect(read(".")).toEqual({ problem: "not-a-number" });
    expect(read("1.23,45")).toEqual({ problem: "not-a-number" });
    expect(read("1,2,3")).toEqual({ problem: "not-a-number" });
    expect(read("1,234.5,6")).toEqual({ problem: "not-a-number" });
    expect(read("12.345,678")).toEqual({ problem: "too-many-decimals" });
    expect(read("1.5", "en-US", 0)).toEqual({ problem: "too-many-decimals" });
  });

  it("explains the problem with an example in the locale", () => {
    expect(amountProblemMessage("not-a-number", "EUR", "de-DE")).toBe(
      "Not an amount: type digits, such as 1.234,56 or -12,50.",
    );
    expect(amountProblemMessage("not-a-number", "EUR", "en-US")).toBe(
      "Not an amount: type digits, such as 1,234.56 or -12.50.",
    );
    expect(amountProblemMessage("too-many-decimals", "EUR", "en-US")).toBe(
      "EUR amounts have at most 2 decimals.",
    );
    expect(amountProblemMessage("too-many-decimals", "JPY", "en-US")).toBe(
      "JPY amounts have no decimals.",
    );
  });
});
