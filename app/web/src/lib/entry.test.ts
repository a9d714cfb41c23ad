import { describe, expect, it } from "vitest";
import { otherSideAmount, signedAmount } from "./entry.ts";

describe("signedAmount", () => {
  it("makes an outflow negative and an inflow positive, to the currency's decimals", () => {
    expect(signedAmount("12.5", "", "EUR", "en")).toEqual({ amount: "-12.50" });
    expect(signedAmount("", "1,234.5", "EUR", "en")).toEqual({ amount: "1234.50" });
    expect(signedAmount("1.234,56", "", "EUR", "de")).toEqual({ amount: "-1234.56" });
    expect(signedAmount("", "500", "JPY", "en")).toEqual({ amount: "500" });
  });

  it("lets the field give the direction when a sign is typed anyway", () => {
    expect(signedAmount("-3", "", "EUR", "en")).toEqual({ amount: "-3.00" });
    expect(signedAmount("", "-3", "EUR", "en")).toEqual({ amount: "3.00" });
  });

  it("asks for exactly one of the two, naming the field", () => {
    expect(signedAmount("", " ", "EUR", "en")).toEqual({
      problem: "Enter an outflow or an inflow.",
      field: "outflow",
    });
    expect(signedAmount("1", "2", "EUR", "en")).toMatchObject({ field: "inflow" });
  });

  it("names the field that cannot be read", () => {
    expect(signedAmount("abc", "", "EUR", "en")).toMatchObject({ field: "outflow" });
    expect(signedAmount("", "1.234", "EUR", "de")).toEqual({ amount: "1234.00" });
    expect(signedAmount("", "1.2345", "EUR", "en")).toEqual({
      problem: "EUR amounts have at most 2 decimals.",
      field: "inflow",
    });
  });
});

describe("otherSideAmount", () => {
  it("books the opposite direction on the other account", () => {
    expect(otherSideAmount("108.4", "-100.00", "USD", "en")).toEqual({ amount: "108.40" });
    expect(otherSideAmount("108.4", "100.00", "USD", "en")).toEqual({ amount: "-108.40" });
  });

  it("asks for the amount when it is missing or unreadable", () => {
    expect(otherSideAmount("", "-1.00", "USD", "en")).toMatchObject({ field: "transferAmount" });
    expect(otherSideAmount("x", "-1.00", "USD", "en")).toMatchObject({ field: "transferAmount" });
  });
});
