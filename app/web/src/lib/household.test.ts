import { describe, expect, it } from "vitest";
import { exportHref, type HouseholdLoadResult, loadedSummary } from "./household.ts";

const nothing: HouseholdLoadResult = {
  accounts: 0,
  categories: 0,
  budgets: 0,
  exchangeRates: 0,
  rules: 0,
  importProfiles: 0,
  transactions: 0,
  attachments: 0,
  recurring: 0,
  reconciliations: 0,
};

describe("loadedSummary", () => {
  it("names accounts and transactions even at zero, and leaves out other empty kinds", () => {
    expect(loadedSummary(nothing)).toEqual(["0 accounts", "0 transactions"]);
  });

  it("uses the singular for one and groups thousands", () => {
    expect(
      loadedSummary({
        ...nothing,
        accounts: 1,
        transactions: 12345,
        categories: 1,
        attachments: 2,
      }),
    ).toEqual(["1 account", "12,345 transactions", "1 category", "2 receipts"]);
  });
});

describe("exportHref", () => {
  it("asks for the receipts only when they are wanted", () => {
    expect(exportHref(false)).toBe("/api/v1/exports/full.json");
    expect(exportHref(true)).toBe("/api/v1/exports/full.json?attachments=true");
  });
});
