import { describe, expect, it } from "vitest";
import { isCurrency } from "./currencies.ts";
import { convertMinor, divideRounded, formatRate, parseRate, parseRatesCsv } from "./fx.ts";
import { isPlainDate } from "./dates.ts";

const rate = (text: string) => {
  const parsed = parseRate(text);
  if (parsed === undefined) throw new Error(`bad rate ${text}`);
  return parsed;
};

describe("parseRate", () => {
  it("reads exact decimals and writes them back without trailing zeros", () => {
    expect(parseRate("1.0834")).toEqual({ units: 10834n, scale: 4 });
    expect(formatRate(rate("1.500000"))).toBe("1.5");
    expect(formatRate(rate("0.000000000001"))).toBe("0.000000000001");
    expect(formatRate(rate("150"))).toBe("150");
  });

  it.each(["0", "0.000", "-1.2", "1e3", "1,5", "", ".5", "1.", "1.0000000000001", " 1"])(
    "refuses %j",
    (text) => {
      expect(parseRate(text)).toBeUndefined();
    },
  );
});

describe("divideRounded", () => {
  it("rounds half away from zero", () => {
    expect([5n, 15n, 14n, -5n, -15n, -14n].map((n) => divideRounded(n, 10n))).toEqual([
      1n,
      2n,
      1n,
      -1n,
      -2n,
      -1n,
    ]);
  });
});

describe("convertMinor", () => {
  it("converts cents to cents at a 4-decimal rate, rounding once", () => {
    // 12.34 USD * 0.9213 = 11.368842 EUR -> 11.37
    expect(convertMinor(1234n, "USD", rate("0.9213"), "EUR")).toBe(1137n);
    expect(convertMinor(-1234n, "USD", rate("0.9213"), "EUR")).toBe(-1137n);
  });

  it("rounds a half cent away from zero both ways", () => {
    // 0.05 * 0.5 = 0.025 -> 0.03 and -0.03
    expect(convertMinor(5n, "USD", rate("0.5"), "EUR")).toBe(3n);
    expect(convertMinor(-5n, "USD", rate("0.5"), "EUR")).toBe(-3n);
  });

  it("rescales between 0, 2 and 3 decimal currencies", () => {
    // 1000 JPY at 0.0061 EUR = 6.10 EUR
    expect(convertMinor(1000n, "JPY", rate("0.0061"), "EUR")).toBe(610n);
    // 10.00 EUR at 163.25 JPY = 1632.5 JPY -> 1633
    expect(convertMinor(1000n, "EUR", rate("163.25"), "JPY")).toBe(1633n);
    // 1.234 BHD at 2.4390 EUR = 3.0097... EUR -> 3.01
    expect(convertMinor(1234n, "BHD", rate("2.4390"), "EUR")).toBe(301n);
    // 1.00 EUR at 0.4100 BHD = 0.410 BHD, exact with no rounding
    expect(convertMinor(100n, "EUR", rate("0.41"), "BHD")).toBe(410n);
  });

  it("stays exact for huge amounts", () => {
    expect(convertMinor(10n ** 15n, "USD", rate("1.000000000001"), "EUR")).toBe(10n ** 15n + 1000n);
  });
});

describe("parseRatesCsv", () => {
  const checks = { isDate: isPlainDate, isCurrency };

  it("reads lines after an optional header, skipping blank ones", () => {
    const result = parseRatesCsv(
      "date,currency,rate\r\n2026-01-31,USD,0.9213\n\n2026-02-01;JPY;0.0061\n",
      checks,
    );
    expect(result.problems).toEqual([]);
    expect(result.lines).toEqual([
      { line: 2, day: "2026-01-31", currency: "USD", rate: "0.9213" },
      { line: 4, day: "2026-02-01", currency: "JPY", rate: "0.0061" },
    ]);
  });

  it("reports every bad line by number", () => {
    const result = parseRatesCsv(
      "2026-02-30,USD,1\n2026-01-01,usd,1\n2026-01-01,USD,-1\nx",
      checks,
    );
    expect(result.problems.map((p) => p.line)).toEqual([1, 2, 3, 4]);
    expect(result.lines).toEqual([]);
  });
});
