import { describe, expect, it } from "vitest";
import {
  layoutOf,
  type Mapping,
  parseAmount,
  parseDate,
  previewRow,
  withLayout,
} from "./import-preview.ts";

const base: Mapping = {
  hasHeader: true,
  skipRows: 0,
  dateColumn: 0,
  dateFormat: "YYYY-MM-DD",
  amountColumn: 2,
  decimalSeparator: ".",
  thousandsSeparator: ",",
  payeeColumn: 1,
  descriptionColumns: [],
  invertSign: false,
};

describe("parseAmount", () => {
  it.each([
    ["-1,234.50", ".", ",", "-1234.5"],
    ["1.234,56", ",", ".", "1234.56"],
    ["(12.00)", ".", ",", "-12"],
    ["12.00-", ".", ",", "-12"],
    ["€ 1 234,00", ",", " ", "1234"],
    ["0.00", ".", ",", "0"],
    ["12,34,5", ".", ",", undefined],
    ["abc", ".", "", undefined],
  ] as const)("reads %s as %s", (text, decimal, thousands, expected) => {
    expect(parseAmount(text, decimal, thousands)).toBe(expected);
  });

  it("keeps every digit of amounts past what a float holds", () => {
    expect(parseAmount("90071992547409.93", ".", "")).toBe("90071992547409.93");
  });
});

describe("previewRow", () => {
  it("reads one signed amount column, flipped on request", () => {
    const row = ["2026-03-05", "Bakery", "-4.20"];
    expect(previewRow(row, base)).toEqual({ date: "2026-03-05", amount: "-4.2", payee: "Bakery" });
    expect(previewRow(row, { ...base, invertSign: true }).amount).toBe("4.2");
  });

  it("reads debit and credit columns: a debit is money out whatever its sign", () => {
    const split: Mapping = { ...base, amountColumn: null, debitColumn: 2, creditColumn: 3 };
    expect(previewRow(["2026-03-05", "Shop", "61.15", ""], split).amount).toBe("-61.15");
    expect(previewRow(["2026-03-05", "Shop", "-61.15", ""], split).amount).toBe("-61.15");
    expect(previewRow(["2026-03-05", "Pay", "", "2,500.00"], split).amount).toBe("2500");
    expect(previewRow(["2026-03-05", "Both", "1.00", "2.00"], split)).toMatchObject({
      problem: "both debit and credit are filled",
    });
    expect(previewRow(["2026-03-05", "Bad", "x", ""], split).amount).toBeUndefined();
  });

  it("reads an amount with a direction column against the listed values, any case", () => {
    const directed: Mapping = {
      ...base,
      directionColumn: 3,
      creditValues: ["CR"],
      debitValues: ["DR"],
    };
    expect(previewRow(["2026-03-05", "A", "10.00", "dr"], directed).amount).toBe("-10");
    expect(previewRow(["2026-03-05", "B", "-10.00", "Cr"], directed).amount).toBe("10");
    expect(previewRow(["2026-03-05", "C", "10.00", "?"], directed)).toMatchObject({
      problem: '"?" is neither a credit nor a debit value',
    });
  });
});

describe("withLayout", () => {
  it("switches between the three layouts, keeping off the date and payee columns", () => {
    const split = withLayout(base, "split", 4);
    expect(layoutOf(split)).toBe("split");
    expect(split).toMatchObject({ amountColumn: null, debitColumn: 2, creditColumn: 3 });
    const directed = withLayout(base, "direction", 4);
    expect(layoutOf(directed)).toBe("direction");
    expect(directed.amountColumn).toBe(2);
    expect(directed.directionColumn).toBe(3);
    expect(directed.creditValues).toContain("cr");
    const signed = withLayout(split, "signed", 4);
    expect(signed).toMatchObject({ amountColumn: 2, debitColumn: null, creditColumn: null });
    expect(layoutOf(signed)).toBe("signed");
  });
});

describe("parseDate", () => {
  it.each([
    ["2026-03-05", "YYYY-MM-DD"],
    ["2026-3-5", "YYYY-MM-DD"],
    ["2026-03-05T10:15:00+01:00", "YYYY-MM-DD"],
    ["05.03.2026", "DD.MM.YYYY"],
    [" 5.3.2026 ", "DD.MM.YYYY"],
    ["05/03/2026", "DD/MM/YYYY"],
    ["03/05/2026", "MM/DD/YYYY"],
    ["05-03-2026", "DD-MM-YYYY"],
    ["20260305", "YYYYMMDD"],
    ["5 Mar 2026", "DD MMM YYYY"],
    ["05-march-2026", "DD MMM YYYY"],
    ["05.03.26", "DD.MM.YY"],
    ["05/03/26", "DD/MM/YY"],
    ["03/05/26", "MM/DD/YY"],
  ] as const)("reads %s in %s as 2026-03-05", (text, format) => {
    expect(parseDate(text, format)).toBe("2026-03-05");
  });

  it.each([
    ["2026-02-30", "YYYY-MM-DD"],
    ["29.02.2025", "DD.MM.YYYY"],
    ["13/05/2026", "MM/DD/YYYY"],
    ["32.01.2026", "DD.MM.YYYY"],
    ["2026031", "YYYYMMDD"],
    ["5 Foo 2026", "DD MMM YYYY"],
    ["05.03.2026", "DD/MM/YYYY"],
    ["2026-03-05", "DD.MM.YYYY"],
    ["", "YYYY-MM-DD"],
  ] as const)("refuses %s in %s", (text, format) => {
    expect(parseDate(text, format)).toBeUndefined();
  });

  it("knows leap days", () => {
    expect(parseDate("29.02.2024", "DD.MM.YYYY")).toBe("2024-02-29");
    expect(parseDate("02/29/2100", "MM/DD/YYYY")).toBeUndefined();
  });
});
