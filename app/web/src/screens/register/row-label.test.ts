import { describe, expect, it } from "vitest";
import type { Account, Category, Transaction } from "../../lib/api.ts";
import { rowLabeller } from "./row-label.ts";

const categories: Category[] = [
  { id: "1", name: "Food", kind: "expense", parentId: null },
  { id: "2", name: "Groceries", kind: "expense", parentId: "1" },
];
const accounts: Account[] = [
  {
    id: "9",
    name: "Savings",
    type: "savings",
    currency: "EUR",
    openingBalance: "0",
    openingDate: "2026-01-01",
    archived: false,
    closedOn: null,
    iban: null,
    balance: "0",
    version: "1",
  },
];

function aTransaction(overrides: Partial<Transaction> = {}): Transaction {
  return {
    id: "100",
    accountId: "8",
    date: "2026-03-01",
    amount: "-12.00",
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

describe("rowLabeller", () => {
  const label = rowLabeller(categories, accounts);

  it("names the category by its full path", () => {
    expect(label(aTransaction({ categoryId: "2" }))).toBe("Food › Groceries");
    expect(label(aTransaction({ categoryId: "2" }))).toBe("Food › Groceries");
    expect(label(aTransaction({ categoryId: "1" }))).toBe("Food");
  });

  it("says uncategorised without a category", () => {
    expect(label(aTransaction())).toBe("Uncategorised");
  });

  it("counts the splits of a split transaction", () => {
    const splits = [
      { amount: "-5.00", categoryId: "1", memo: "" },
      { amount: "-7.00", categoryId: "2", memo: "" },
    ];
    expect(label(aTransaction({ categoryId: "2", splits }))).toBe("Split (2)");
  });

  it("gives a transfer's direction and other account", () => {
    const out = aTransaction({ transfer: { accountId: "9", amount: "12.00" } });
    expect(label(out)).toBe("Transfer to Savings");
    const back = aTransaction({ amount: "5.00", transfer: { accountId: "7", amount: "-5.00" } });
    expect(label(back)).toBe("Transfer from another account");
  });
});
