import { describe, expect, it } from "vitest";
import { UnknownCurrencyError, currencyCodes, currencyExponent } from "./currencies.ts";
import {
  CurrencyMismatchError,
  MoneyParseError,
  add,
  allocate,
  compare,
  formatAmount,
  formatForDisplay,
  isNegative,
  isZero,
  money,
  negate,
  parseAmount,
  subtract,
  sum,
  zero,
  type Money,
} from "./money.ts";

// A seeded 64-bit linear congruential generator (Knuth's MMIX constants), so property loops are
// reproducible; the high bits are used because the low bits of an LCG cycle quickly.
function seeded(seed: bigint): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 6364136223846793005n + 1442695040888963407n) & 0xffff_ffff_ffff_ffffn;
    return Number((state >> 33n) % BigInt(below));
  };
}

function randomDigits(next: (below: number) => number, length: number): string {
  let digits = String(1 + next(9));
  while (digits.length < length) digits += String(next(10));
  return digits;
}

const eur = (minor: bigint): Money => money(minor, "EUR");
const TWO_POW_53 = 2n ** 53n;
const THIRTY_DIGITS = "123456789012345678901234567890";

describe("parseAmount", () => {
  it.each([
    ["12.34", "EUR", 1234n],
    ["12.3", "EUR", 1230n],
    ["12", "EUR", 1200n],
    ["0", "EUR", 0n],
    ["0.01", "EUR", 1n],
    ["-0.01", "EUR", -1n],
    ["+5.5", "EUR", 550n],
    ["-12.34", "EUR", -1234n],
    ["007.50", "EUR", 750n],
    ["1230", "JPY", 1230n],
    ["-5", "JPY", -5n],
    ["0", "KRW", 0n],
    ["0.005", "BHD", 5n],
    ["1.5", "BHD", 1500n],
    ["-12.345", "KWD", -12345n],
    ["1.2345", "CLF", 12345n],
    [TWO_POW_53.toString(), "JPY", TWO_POW_53],
    [`${TWO_POW_53 + 1n}.01`, "USD", (TWO_POW_53 + 1n) * 100n + 1n],
    [`${THIRTY_DIGITS}.12`, "EUR", BigInt(`${THIRTY_DIGITS}12`)],
    [`-${THIRTY_DIGITS}.999`, "BHD", -BigInt(`${THIRTY_DIGITS}999`)],
  ] as const)("parses %j %s to %s", (text, currency, minor) => {
    expect(parseAmount(text, currency)).toEqual({ minor, currency });
  });

  it.each(["-0", "-0.00", "+0", "-0.0", "-000", "+0.00"])("parses %j to plain zero", (text) => {
    const parsed = parseAmount(text, "EUR");
    expect(parsed.minor).toBe(0n);
    expect(isNegative(parsed)).toBe(false);
    expect(formatAmount(parsed)).toBe("0.00");
  });

  it.each([
    ["", "EUR", "the amount is empty"],
    [" 1", "EUR", "whitespace is not allowed"],
    ["1 ", "EUR", "whitespace is not allowed"],
    ["1 000", "EUR", "whitespace is not allowed"],
    ["1\u00a0000", "EUR", "whitespace is not allowed"],
    ["- 1", "EUR", "whitespace is not allowed"],
    ["1\n", "EUR", "whitespace is not allowed"],
    ["1,000", "EUR", "separators are not allowed"],
    ["1,000.00", "EUR", "separators are not allowed"],
    ["1,5", "EUR", "use digits only and '.' as the decimal point"],
    ["1'000", "CHF", "separators are not allowed"],
    ["1_000", "EUR", "separators are not allowed"],
    ["1e3", "EUR", "exponent notation is not allowed"],
    ["1E-2", "EUR", "exponent notation is not allowed"],
    [".5", "EUR", "at least one digit is required before the decimal point"],
    ["-.5", "EUR", "at least one digit is required before the decimal point"],
    [".", "EUR", "at least one digit is required before the decimal point"],
    ["1.", "EUR", "at least one digit is required after the decimal point"],
    ["-1.", "EUR", "at least one digit is required after the decimal point"],
    ["1.2.3", "EUR", "only one decimal point is allowed"],
    ["--1", "EUR", "a sign is only allowed once, at the start"],
    ["+-1", "EUR", "a sign is only allowed once, at the start"],
    ["1-", "EUR", "a sign is only allowed once, at the start"],
    ["1.0-", "EUR", "a sign is only allowed once, at the start"],
    ["-", "EUR", "a sign must be followed by digits"],
    ["+", "EUR", "a sign must be followed by digits"],
    ["abc", "EUR", "expected an optional sign, digits"],
    ["twelve", "EUR", "expected an optional sign, digits"],
    ["€12", "EUR", "expected an optional sign, digits"],
    ["0x10", "EUR", "expected an optional sign, digits"],
    ["Infinity", "EUR", "expected an optional sign, digits"],
    ["NaN", "EUR", "expected an optional sign, digits"],
    ["١٢", "EUR", "expected an optional sign, digits"],
    ["１２", "EUR", "expected an optional sign, digits"],
    ["1.234", "EUR", "has 3 decimals but EUR allows at most 2 decimals"],
    ["12.340", "EUR", "has 3 decimals but EUR allows at most 2 decimals"],
    ["1.5", "JPY", "has 1 decimal but JPY allows no decimals"],
    ["1.00", "JPY", "has 2 decimals but JPY allows no decimals"],
    ["0.0001", "BHD", "has 4 decimals but BHD allows at most 3 decimals"],
  ] as const)("refuses %j in %s: %s", (text, currency, fragment) => {
    expect(() => parseAmount(text, currency)).toThrow(MoneyParseError);
    expect(() => parseAmount(text, currency)).toThrow(fragment);
  });

  it("names the input in the message and on the error", () => {
    try {
      parseAmount("1,50", "EUR");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MoneyParseError);
      expect((error as MoneyParseError).input).toBe("1,50");
      expect((error as MoneyParseError).message).toMatch(/^invalid amount "1,50": /);
    }
  });

  it("shortens a very long input in the message", () => {
    expect(() => parseAmount(`${"9".repeat(200)}x`, "EUR")).toThrow(`"${"9".repeat(40)}…"`);
  });

  it("refuses an unknown currency before looking at the text", () => {
    expect(() => parseAmount("1.00", "XYZ")).toThrow(UnknownCurrencyError);
    expect(() => parseAmount("1.00", "eur")).toThrow(UnknownCurrencyError);
  });
});

describe("formatAmount", () => {
  it.each([
    [0n, "EUR", "0.00"],
    [1n, "EUR", "0.01"],
    [-5n, "EUR", "-0.05"],
    [-1234n, "EUR", "-12.34"],
    [123456n, "USD", "1234.56"],
    [1230n, "JPY", "1230"],
    [-1n, "JPY", "-1"],
    [0n, "JPY", "0"],
    [5n, "BHD", "0.005"],
    [0n, "BHD", "0.000"],
    [-1000n, "KWD", "-1.000"],
    [12345n, "CLF", "1.2345"],
    [TWO_POW_53 + 1n, "EUR", "90071992547409.93"],
    [BigInt(`-${THIRTY_DIGITS}12`), "EUR", `-${THIRTY_DIGITS}.12`],
  ] as const)("formats %s %s as %j", (minor, currency, text) => {
    expect(formatAmount(money(minor, currency))).toBe(text);
  });

  it("never produces a negative zero", () => {
    for (const currency of ["EUR", "JPY", "BHD"]) {
      expect(formatAmount(negate(zero(currency)))).not.toMatch(/^-/);
      expect(formatAmount(money(-0n, currency))).not.toMatch(/^-/);
    }
  });

  it("round-trips canonical texts of every currency and size through parse and format", () => {
    const next = seeded(20260101n);
    for (let round = 0; round < 3000; round += 1) {
      const currency = currencyCodes[next(currencyCodes.length)] ?? "EUR";
      const exponent = currencyExponent(currency);
      const whole = next(4) === 0 ? "0" : randomDigits(next, 1 + next(40));
      const fraction = Array.from({ length: exponent }, () => String(next(10))).join("");
      const unsigned = exponent === 0 ? whole : `${whole}.${fraction}`;
      const isZeroText = /^[0.]+$/.test(unsigned);
      const text = next(2) === 0 && !isZeroText ? `-${unsigned}` : unsigned;
      expect(formatAmount(parseAmount(text, currency))).toBe(text);
    }
  });

  it("round-trips padded and signed texts to their canonical form", () => {
    expect(formatAmount(parseAmount("+007.5", "EUR"))).toBe("7.50");
    expect(formatAmount(parseAmount("-0.5", "BHD"))).toBe("-0.500");
  });
});

describe("arithmetic", () => {
  it("adds, subtracts and negates within one currency", () => {
    expect(add(eur(150n), eur(-200n))).toEqual(eur(-50n));
    expect(subtract(eur(150n), eur(200n))).toEqual(eur(-50n));
    expect(negate(eur(-50n))).toEqual(eur(50n));
    expect(negate(eur(0n))).toEqual(eur(0n));
  });

  it("stays exact beyond 2^53", () => {
    const big = money(TWO_POW_53, "JPY");
    expect(add(big, money(1n, "JPY")).minor).toBe(TWO_POW_53 + 1n);
    const huge = parseAmount(`${THIRTY_DIGITS}.01`, "EUR");
    expect(formatAmount(add(huge, huge))).toBe("246913578024691357802469135780.02");
  });

  it("sums a list, and an empty list to zero in the given currency", () => {
    expect(sum([eur(1n), eur(2n), eur(-4n)], "EUR")).toEqual(eur(-1n));
    expect(sum([], "JPY")).toEqual(money(0n, "JPY"));
  });

  it("compares and classifies", () => {
    expect(compare(eur(1n), eur(2n))).toBe(-1);
    expect(compare(eur(2n), eur(2n))).toBe(0);
    expect(compare(eur(3n), eur(-2n))).toBe(1);
    expect(isZero(eur(0n))).toBe(true);
    expect(isZero(eur(-1n))).toBe(false);
    expect(isNegative(eur(-1n))).toBe(true);
    expect(isNegative(eur(0n))).toBe(false);
  });

  it.each([
    ["add", () => add(eur(1n), money(1n, "USD")), "cannot add amounts in different currencies"],
    ["subtract", () => subtract(eur(1n), money(1n, "USD")), "cannot subtract amounts"],
    ["compare", () => compare(eur(1n), money(1n, "USD")), "cannot compare amounts"],
    ["sum", () => sum([eur(1n), money(1n, "USD")], "EUR"), "cannot sum amounts"],
    ["sum in another currency", () => sum([eur(1n)], "USD"), "USD and EUR"],
  ] as const)("refuses to %s across currencies", (_name, operation, fragment) => {
    expect(operation).toThrow(CurrencyMismatchError);
    expect(operation).toThrow(fragment);
  });

  it("names both currencies on the mismatch error", () => {
    try {
      add(eur(1n), money(1n, "USD"));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CurrencyMismatchError);
      expect(error).toMatchObject({ expected: "EUR", actual: "USD" });
    }
  });

  it("refuses to build money in an unknown currency", () => {
    expect(() => money(1n, "XYZ")).toThrow(UnknownCurrencyError);
    expect(() => zero("")).toThrow(UnknownCurrencyError);
  });

  it("returns frozen values", () => {
    expect(Object.isFrozen(add(eur(1n), eur(1n)))).toBe(true);
  });
});

describe("allocate", () => {
  it.each([
    [100n, [1, 1, 1], [34n, 33n, 33n]],
    [-100n, [1, 1, 1], [-34n, -33n, -33n]],
    [10n, [2, 1, 1], [5n, 3n, 2n]],
    [100n, [70, 30], [70n, 30n]],
    [5n, [0, 1, 1], [0n, 3n, 2n]],
    [5n, [1, 0, 1], [3n, 0n, 2n]],
    [1n, [1, 1, 1], [1n, 0n, 0n]],
    [2n, [1, 1, 1], [1n, 1n, 0n]],
    [0n, [1, 2], [0n, 0n]],
    [7n, [3], [7n]],
    [1001n, [1n, 3n], [250n, 751n]],
    [-1001n, [1n, 3n], [-250n, -751n]],
  ] as const)("splits %s by %s into %s", (minor, ratios, expected) => {
    expect(allocate(eur(minor), ratios).map((part) => part.minor)).toEqual(expected);
  });

  it("keeps the currency and stays exact for huge amounts", () => {
    const huge = parseAmount(`${THIRTY_DIGITS}.01`, "EUR");
    const parts = allocate(huge, [1n, 1n, 1n]);
    expect(parts.every((part) => part.currency === "EUR")).toBe(true);
    expect(sum(parts, "EUR")).toEqual(huge);
    expect(parts.map(formatAmount)).toEqual([
      "41152263004115226300411522630.01",
      "41152263004115226300411522630.00",
      "41152263004115226300411522630.00",
    ]);
  });

  it.each([
    [[], "at least one ratio"],
    [[0, 0], "at least one ratio above zero"],
    [[1, -1], "ratio 1 is -1, must not be negative"],
    [[-1n], "ratio 0 is -1, must not be negative"],
    [[1.5], "ratio 0 is 1.5, not a (safe) integer"],
    [[Number.NaN], "ratio 0 is NaN"],
    [[Number.POSITIVE_INFINITY], "ratio 0 is Infinity"],
    [[2 ** 53], "not a (safe) integer"],
  ] as const)("refuses ratios %s", (ratios, fragment) => {
    expect(() => allocate(eur(100n), ratios)).toThrow(RangeError);
    expect(() => allocate(eur(100n), ratios)).toThrow(fragment);
  });

  it("always sums to the total, within one unit of each exact share, symmetrically", () => {
    const next = seeded(42n);
    for (let round = 0; round < 5000; round += 1) {
      const magnitude = BigInt(randomDigits(next, 1 + next(25))) - 1n;
      const minor = next(2) === 0 ? -magnitude : magnitude;
      const ratios: bigint[] = Array.from({ length: 1 + next(8) }, () =>
        next(4) === 0 ? 0n : BigInt(next(1000)),
      );
      if (!ratios.some((ratio) => ratio > 0n)) ratios.push(1n);
      const total = ratios.reduce((acc, ratio) => acc + ratio, 0n);

      const parts = allocate(eur(minor), ratios);
      expect(parts).toHaveLength(ratios.length);
      expect(sum(parts, "EUR").minor).toBe(minor);
      parts.forEach((part, index) => {
        const ratio = ratios[index] ?? 0n;
        // |part - minor * ratio / total| <= 1, kept in integers. Not < 1: a leftover unit may land
        // on an earlier part whose share was already exact (10 by [2, 1, 1] is [6, 2, 2]).
        const error = part.minor * total - minor * ratio;
        expect(error <= total && -error <= total).toBe(true);
        if (ratio === 0n) expect(part.minor).toBe(0n);
      });
      const mirrored = allocate(eur(-minor), ratios).map((part) => part.minor);
      expect(mirrored).toEqual(parts.map((part) => -part.minor));
    }
  });
});

describe("formatForDisplay", () => {
  it.each([
    [123456n, "EUR", "de-DE", "1.234,56\u00a0€"],
    [-5n, "EUR", "de-DE", "-0,05\u00a0€"],
    [0n, "EUR", "de-DE", "0,00\u00a0€"],
    [123456n, "USD", "en-US", "$1,234.56"],
    [-123456n, "USD", "en-US", "-$1,234.56"],
    [1234n, "JPY", "ja-JP", "\uffe51,234"],
    [5n, "BHD", "en-US", "BHD\u00a00.005"],
    // ISO gives HUF two decimals even though CLDR would show none: nothing is rounded away.
    [12345n, "HUF", "en-US", "HUF\u00a0123.45"],
  ] as const)("formats %s %s for %s as %j", (minor, currency, locale, text) => {
    expect(formatForDisplay(money(minor, currency), locale)).toBe(text);
  });

  it("formats values beyond 2^53 and 30 digits exactly", () => {
    expect(formatForDisplay(money((TWO_POW_53 + 1n) * 100n + 1n, "USD"), "en-US")).toBe(
      "$9,007,199,254,740,993.01",
    );
    expect(formatForDisplay(parseAmount(`-${THIRTY_DIGITS}.12`, "EUR"), "de-DE")).toBe(
      "-123.456.789.012.345.678.901.234.567.890,12\u00a0€",
    );
    expect(formatForDisplay(parseAmount(`${THIRTY_DIGITS}9`, "JPY"), "ja-JP")).toBe(
      "\uffe51,234,567,890,123,456,789,012,345,678,909",
    );
  });

  it("agrees with Intl's own formatting of small numbers", () => {
    const next = seeded(7n);
    const cases = [
      ["de-DE", "EUR"],
      ["en-US", "USD"],
      ["ja-JP", "JPY"],
      ["fr-CH", "CHF"],
      ["en-IN", "INR"],
      ["ar-BH", "BHD"],
      ["ko-KR", "KRW"],
    ] as const;
    for (let round = 0; round < 700; round += 1) {
      const [locale, currency] = cases[round % cases.length] ?? cases[0];
      const exponent = currencyExponent(currency);
      // Small enough that minor / 10^exponent is the closest double to the decimal value.
      const minor = BigInt(next(2_000_000_000)) - 1_000_000_000n;
      const expected = new Intl.NumberFormat(locale, {
        style: "currency",
        currency,
        minimumFractionDigits: exponent,
        maximumFractionDigits: exponent,
      }).format(Number(minor) / 10 ** exponent);
      expect(formatForDisplay(money(minor, currency), locale)).toBe(expected);
    }
  });
});
