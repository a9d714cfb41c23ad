import { describe, expect, it } from "vitest";
import type { Transaction } from "./api.ts";
import { recentActivity } from "./recent-activity.ts";

function aTransaction(overrides: Partial<Transaction> = {}): Transaction {
  return {
    id: "1",
    accountId: "checking",
    date: "2026-03-10",
    amount: "-10.00",
    currency: "EUR",
    payee: "Corner Grocer",
    description: "",
    notes: "",
    categoryId: null,
    tags: [],
    splits: [],
    transfer: null,
    status: "cleared",
    version: "1",
    ...overrides,
  };
}

// 100.00 from checking to savings, booked as two sides.
const out = aTransaction({
  id: "2",
  amount: "-100.00",
  payee: "",
  transfer: { accountId: "savings", amount: "100.00" },
});
const into = aTransaction({
  id: "3",
  accountId: "savings",
  amount: "100.00",
  payee: "",
  transfer: { accountId: "checking", amount: "-100.00" },
});

describe("recent activity", () => {
  it("shows the two sides of a transfer once, from the paying account to the receiving one", () => {
    const grocer = aTransaction();
    const activity = recentActivity([into, grocer, out], 8);
    expect(activity.map((a) => a.kind)).toEqual(["transfer", "transaction"]);
    expect(activity[0]).toMatchObject({
      fromAccountId: "checking",
      toAccountId: "savings",
      amount: "100.00",
      currency: "EUR",
      key: "3+2",
    });
  });

  it("shows a transfer whose other side is not listed as one transfer all the same", () => {
    expect(recentActivity([into], 8)).toMatchObject([
      { kind: "transfer", fromAccountId: "checking", toAccountId: "savings", amount: "100.00" },
    ]);
    expect(recentActivity([out], 8)).toMatchObject([
      { kind: "transfer", fromAccountId: "checking", toAccountId: "savings", amount: "100.00" },
    ]);
  });

  it("pairs two equal transfers on one day one to one", () => {
    const out2 = { ...out, id: "4" };
    const into2 = { ...into, id: "5" };
    const activity = recentActivity([out, into, out2, into2], 8);
    expect(activity.map((a) => a.key)).toEqual(["2+3", "4+5"]);
  });

  it("does not pair transfers that differ in date or amount", () => {
    const later = { ...into, id: "6", date: "2026-03-11" };
    expect(recentActivity([out, later], 8).map((a) => a.key)).toEqual(["2", "6"]);
  });

  it("keeps a cross-currency transfer's paying side and its own currency", () => {
    const usd = aTransaction({
      id: "7",
      accountId: "dollars",
      currency: "USD",
      amount: "125.00",
      transfer: { accountId: "checking", amount: "-100.00" },
    });
    const eur = aTransaction({
      id: "8",
      amount: "-100.00",
      transfer: { accountId: "dollars", amount: "125.00" },
    });
    expect(recentActivity([usd, eur], 8)).toMatchObject([
      { kind: "transfer", fromAccountId: "checking", amount: "100.00", currency: "EUR" },
    ]);
  });

  it("stops at the limit, counting a transfer once", () => {
    const rows = [out, into, aTransaction({ id: "9" }), aTransaction({ id: "10" })];
    expect(recentActivity(rows, 2).map((a) => a.key)).toEqual(["2+3", "9"]);
  });
});
