import { describe, expect, it } from "vitest";
import {
  ibanFrom,
  ibanIn,
  identifierIban,
  identifierNamesIban,
  normaliseAccountNumber,
  parseIban,
  printIban,
} from "./iban.ts";

describe("parseIban", () => {
  it.each([
    ["DE89370400440532013000", "DE89370400440532013000"],
    ["de89 3704 0044 0532 0130 00", "DE89370400440532013000"],
    ["GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"],
    ["NL91ABNA0417164300", "NL91ABNA0417164300"],
    ["NO9386011117947", "NO9386011117947"],
    ["FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"],
  ])("reads %s as %s", (text, iban) => {
    expect(parseIban(text)).toEqual({ iban });
  });

  it("refuses a wrong check digit as a checksum problem", () => {
    expect(parseIban("DE88370400440532013000")).toMatchObject({ problem: "checksum" });
  });

  it("refuses two swapped digits as a checksum problem", () => {
    expect(parseIban("DE89370400440532010300")).toMatchObject({ problem: "checksum" });
  });

  it("refuses a length that does not fit the country, naming both", () => {
    const result = parseIban("DE8937040044053201300");
    expect(result).toMatchObject({ problem: "length" });
    expect("message" in result && result.message).toBe(
      "has 21 characters, but an IBAN from DE has 22",
    );
  });

  it("refuses a country that issues no IBANs", () => {
    expect(parseIban("ZZ89370400440532013000")).toMatchObject({ problem: "country" });
  });

  it.each(["", "1234", "DE-89", "DEXX370400440532013000"])("refuses %j as not an IBAN", (text) => {
    expect(parseIban(text)).toMatchObject({ problem: "format" });
  });
});

describe("printing and normalising", () => {
  it("prints groups of four, the last one shorter", () => {
    expect(printIban("DE89370400440532013000")).toBe("DE89 3704 0044 0532 0130 00");
    expect(printIban("be68 5390 0754 7034")).toBe("BE68 5390 0754 7034");
  });

  it("normalises any spacing and case", () => {
    expect(normaliseAccountNumber(" de89\u00a03704 0044\t0532 013000 ")).toBe(
      "DE89370400440532013000",
    );
  });
});

describe("ibanFrom", () => {
  it("computes the check digits of a known IBAN", () => {
    expect(ibanFrom("DE", "370400440532013000")).toBe("DE89370400440532013000");
    expect(ibanFrom("GB", "WEST12345698765432")).toBe("GB82WEST12345698765432");
  });

  it("throws for a domestic number of the wrong length", () => {
    expect(() => ibanFrom("DE", "1234")).toThrow(/has 8 characters/);
  });
});

describe("ibanIn", () => {
  it("finds the IBAN before a currency suffix", () => {
    expect(ibanIn("DE89370400440532013000EUR")).toBe("DE89370400440532013000");
  });

  it("finds none in a German bank code and account number", () => {
    expect(ibanIn("37040044/0532013000")).toBeUndefined();
  });
});

describe("identifierNamesIban", () => {
  const iban = "DE89370400440532013000";

  it("compares IBANs whatever their spelling or currency suffix", () => {
    expect(identifierNamesIban("de89 3704 0044 0532 0130 00", iban)).toBe(true);
    expect(identifierNamesIban("DE89370400440532013000EUR", iban)).toBe(true);
    expect(identifierNamesIban("GB82WEST12345698765432", iban)).toBe(false);
  });

  it("reads a German bank code and account number as the IBAN it stands for", () => {
    expect(identifierIban("37040044/532013000")).toBe(iban);
    expect(identifierNamesIban("37040044/0532013000", iban)).toBe(true);
    expect(identifierNamesIban("50050201/0123456789", iban)).toBe(false);
  });

  it("matches a domestic account number the IBAN ends with", () => {
    expect(identifierNamesIban("0532013000", iban)).toBe(true);
    expect(identifierNamesIban("4111111111111111", iban)).toBe(false);
  });

  it("cannot tell from a number too short", () => {
    expect(identifierNamesIban("000", iban)).toBeUndefined();
  });
});
