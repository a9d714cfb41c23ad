import { describe, expect, it } from "vitest";
import { UnknownCurrencyError, currencyCodes, currencyExponent, isCurrency } from "./currencies.ts";

const withExponent = (exponent: number, codes: readonly string[]): [string, number][] =>
  codes.map((code) => [code, exponent]);

describe("currencyExponent", () => {
  it.each([
    ...withExponent(2, ["EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF"]),
    ...withExponent(2, ["CAD", "AUD", "NZD", "CNY", "INR", "BRL", "MXN", "ZAR", "SGD", "HKD"]),
    ...withExponent(2, ["TRY", "ILS", "AED"]),
    ...withExponent(0, ["JPY", "KRW", "ISK", "CLP", "UYI", "VND", "XOF", "XAF"]),
    ...withExponent(3, ["BHD", "KWD", "JOD", "TND", "OMR", "IQD", "LYD"]),
    ...withExponent(4, ["CLF", "UYW"]),
  ])("%s has %i decimals", (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  it.each(["XYZ", "", "EURO", "EU", "XAU", "toString", "__proto__", " EUR"])(
    "refuses unknown code %j",
    (code) => {
      expect(() => currencyExponent(code)).toThrow(UnknownCurrencyError);
      expect(() => currencyExponent(code)).toThrow(/unknown currency .*ISO 4217/);
    },
  );

  it("suggests the upper-case spelling for a lower-case code", () => {
    expect(() => currencyExponent("eur")).toThrow('codes are upper case: "EUR"');
  });

  it("carries the refused code on the error", () => {
    try {
      currencyExponent("ABC");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownCurrencyError);
      expect((error as UnknownCurrencyError).code).toBe("ABC");
    }
  });
});

describe("isCurrency", () => {
  it("accepts every listed code and only three upper-case letters", () => {
    for (const code of currencyCodes) {
      expect(isCurrency(code)).toBe(true);
      expect(code).toMatch(/^[A-Z]{3}$/);
    }
  });

  it.each(["usd", "XYZ", "", "constructor", "hasOwnProperty"])("refuses %j", (code) => {
    expect(isCurrency(code)).toBe(false);
  });

  it("lists codes sorted and without duplicates", () => {
    expect([...currencyCodes].sort()).toEqual(currencyCodes);
    expect(new Set(currencyCodes).size).toBe(currencyCodes.length);
  });

  it("lists only currencies ICU knows, apart from the units of account it leaves out", () => {
    const supported = new Set(Intl.supportedValuesOf("currency"));
    const unknownToIcu = currencyCodes.filter((code) => !supported.has(code));
    expect(unknownToIcu).toEqual(["CLF", "UYI", "UYW"]);
  });
});
