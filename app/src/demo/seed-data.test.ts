import { describe, expect, it } from "vitest";
import { passwordProblem } from "../auth/passwords.ts";
import { validateCategoryTree } from "../domain/categories.ts";
import { money } from "../domain/money.ts";
import { validateSplits } from "../domain/splits.ts";
import { DEMO_PASSWORD, demoHousehold, type DemoHousehold } from "./seed-data.ts";

const today = "2026-05-14";
const household = demoHousehold(today);

/** Each account's lowest balance over the year, in minor units. */
function lowestBalances(h: DemoHousehold): Map<string, bigint> {
  const balance = new Map(h.accounts.map((a) => [a.key, a.openingBalance]));
  const lowest = new Map(balance);
  for (const t of h.transactions) {
    const now = (balance.get(t.accountKey) ?? 0n) + t.amount;
    balance.set(t.accountKey, now);
    if (now < (lowest.get(t.accountKey) ?? 0n)) lowest.set(t.accountKey, now);
  }
  return lowest;
}

function accountOfType(h: DemoHousehold, type: string, currency = "EUR") {
  const account = h.accounts.find((a) => a.type === type && a.currency === currency);
  if (!account) throw new Error(`no ${type} account in ${currency}`);
  return account;
}

describe("demoHousehold", () => {
  it("returns the same household for the same day and seed, another for another seed", () => {
    expect(demoHousehold(today)).toEqual(household);
    expect(demoHousehold(today, 7).transactions).not.toEqual(household.transactions);
  });

  it("refuses a day that is not YYYY-MM-DD", () => {
    expect(() => demoHousehold("2026-02-30")).toThrow(RangeError);
    expect(() => demoHousehold("14.05.2026")).toThrow(RangeError);
  });

  it("has one owner, a member and a viewer, all able to use the demo password", () => {
    expect(household.users.map((u) => u.role).sort()).toEqual(["member", "owner", "viewer"]);
    expect(household.users.find((u) => u.role === "owner")).toMatchObject({
      email: "demo@fintrack.local",
      name: "Alex Demo",
    });
    expect(household.password).toBe(DEMO_PASSWORD);
    for (const { email } of household.users) {
      expect(passwordProblem(DEMO_PASSWORD, { email })).toBeUndefined();
    }
  });

  it("has checking, savings, credit card, cash, loan and asset accounts in EUR, USD and JPY", () => {
    expect(new Set(household.accounts.map((a) => a.type))).toEqual(
      new Set(["checking", "savings", "credit_card", "cash", "loan", "asset"]),
    );
    expect(new Set(household.accounts.map((a) => a.currency))).toEqual(
      new Set(["EUR", "USD", "JPY"]),
    );
    expect(new Set(household.accounts.map((a) => a.name.toLowerCase())).size).toBe(
      household.accounts.length,
    );
  });

  it("covers the twelve months up to today, with a salary in each and nothing after today", () => {
    const months = new Set(household.transactions.map((t) => t.date.slice(0, 7)));
    for (let m = 0; m < 12; m++) {
      const month = new Date(Date.UTC(2026, 4 - m, 1)).toISOString().slice(0, 7);
      expect(months).toContain(month);
    }
    const dates = household.transactions.map((t) => t.date);
    expect(dates).toEqual([...dates].sort());
    expect(dates.at(-1)).toBe(today);
    expect(dates[0]).toBe("2025-05-15");
    expect(household.accounts.every((a) => a.openingDate === "2025-05-14")).toBe(true);
    const salaries = household.transactions.filter(
      (t) => t.categoryKey === "Income/Salary" && t.createdBy === "demo@fintrack.local",
    );
    expect(salaries).toHaveLength(12);
    expect(household.transactions.length).toBeGreaterThan(400);
  });

  it("starts the day after the same date a year earlier (28 February for a 29 February)", () => {
    expect(demoHousehold("2025-03-01").accounts[0]?.openingDate).toBe("2024-03-01");
    expect(demoHousehold("2024-02-29").accounts[0]?.openingDate).toBe("2023-02-28");
  });

  it("builds a valid category tree three levels deep, and uses only its categories", () => {
    const byKey = new Map(household.categories.map((c) => [c.key, c]));
    const tree = household.categories.map((c) => ({
      id: c.key,
      name: c.name,
      kind: c.kind,
      parentId: c.parentKey,
    }));
    expect(validateCategoryTree(tree)).toEqual([]);
    expect(byKey.get("Housing/Utilities/Electricity")?.parentKey).toBe("Housing/Utilities");
    // Parents come first, so they can be inserted in order.
    const seen = new Set<string>();
    for (const c of household.categories) {
      if (c.parentKey !== null) expect(seen).toContain(c.parentKey);
      seen.add(c.key);
    }
    for (const t of household.transactions) {
      const keys = [t.categoryKey, ...t.splits.map((s) => s.categoryKey)];
      for (const key of keys) if (key !== null) expect(byKey.has(key), key).toBe(true);
    }
  });

  it("gives income categories to money in and expense categories to money out", () => {
    const kindOf = new Map(household.categories.map((c) => [c.key, c.kind]));
    for (const t of household.transactions) {
      if (t.categoryKey === null) continue;
      expect(kindOf.get(t.categoryKey), `${t.payee} ${t.amount}`).toBe(
        t.amount > 0n ? "income" : "expense",
      );
    }
  });

  it("splits supermarket receipts into lines that add up to the amount", () => {
    const split = household.transactions.filter((t) => t.splits.length > 0);
    expect(split.length).toBeGreaterThanOrEqual(12);
    for (const t of split) {
      expect(t.categoryKey).toBeNull();
      const total = money(t.amount, t.currency);
      const lines = t.splits.map((s) => ({
        amount: money(s.amount, t.currency),
        categoryId: s.categoryKey,
      }));
      expect(validateSplits(total, lines)).toEqual([]);
      expect(t.splits.map((s) => s.categoryKey)).toEqual(["Food/Groceries", "Housing/Household"]);
    }
  });

  it("pairs every transfer: two accounts, opposite signs, equal amounts in one currency", () => {
    const groups = Map.groupBy(
      household.transactions.filter((t) => t.transferGroup !== null),
      (t) => t.transferGroup,
    );
    expect(groups.size).toBeGreaterThan(30);
    let crossCurrency = 0;
    for (const [group, halves] of groups) {
      expect(halves, String(group)).toHaveLength(2);
      const [out, into] = halves;
      if (!out || !into) continue;
      expect(out.accountKey).not.toBe(into.accountKey);
      expect(out.date).toBe(into.date);
      expect(out.amount < 0n && into.amount > 0n).toBe(true);
      expect(out.categoryKey ?? into.categoryKey).toBeNull();
      if (out.currency === into.currency) expect(into.amount).toBe(-out.amount);
      else crossCurrency++;
    }
    expect(crossCurrency).toBe(2);
    expect(new Set(groups.keys()).size).toBe(groups.size);
  });

  it("keeps each transaction in its account's currency", () => {
    const currencyOf = new Map(household.accounts.map((a) => [a.key, a.currency]));
    for (const t of household.transactions) expect(t.currency).toBe(currencyOf.get(t.accountKey));
  });

  it.each([
    ["2026-05-14", 42],
    ["2024-03-04", 7],
    ["2026-12-28", 1],
    ["2027-01-31", 42],
  ])("keeps balances plausible for %s (seed %i)", (day, seed) => {
    const h = demoHousehold(day, seed);
    const lowest = lowestBalances(h);
    expect(lowest.get(accountOfType(h, "checking").key)).toBeGreaterThanOrEqual(-1_000_00n);
    expect(lowest.get(accountOfType(h, "credit_card").key)).toBeGreaterThanOrEqual(-5_000_00n);
    for (const cash of h.accounts.filter((a) => a.type === "cash" || a.currency !== "EUR")) {
      expect(lowest.get(cash.key), cash.name).toBeGreaterThanOrEqual(0n);
    }
    expect(lowest.get(accountOfType(h, "savings").key)).toBeGreaterThan(0n);
  });

  it("marks the last days pending and older bank transactions reconciled", () => {
    const byStatus = Map.groupBy(household.transactions, (t) => t.status);
    expect(byStatus.get("pending")?.every((t) => t.date >= "2026-05-12")).toBe(true);
    expect(byStatus.get("pending")?.length).toBeGreaterThan(0);
    expect(byStatus.get("reconciled")?.every((t) => t.date < "2026-03-15")).toBe(true);
    expect(byStatus.get("cleared")?.length).toBeGreaterThan(0);
  });

  it("tags holiday spending as vacation and claims business expenses back the month after", () => {
    const foreign = household.transactions.filter(
      (t) => t.currency !== "EUR" && t.transferGroup === null,
    );
    expect(foreign.length).toBeGreaterThan(5);
    expect(foreign.every((t) => t.tags.includes("vacation"))).toBe(true);
    const business = household.transactions.filter((t) => t.tags.includes("business"));
    const spent = business.filter((t) => t.amount < 0n && t.date < "2026-04-01");
    const claimed = business.filter((t) => t.amount > 0n && t.date < "2026-05-01");
    expect(spent.length).toBeGreaterThan(0);
    expect(claimed.reduce((s, t) => s + t.amount, 0n)).toBe(
      -spent.reduce((s, t) => s + t.amount, 0n),
    );
  });
});
