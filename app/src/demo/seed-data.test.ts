import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { passwordProblem } from "../auth/passwords.ts";
import { validateCategoryTree } from "../domain/categories.ts";
import { parseRate } from "../domain/fx.ts";
import { parseIban } from "../domain/iban.ts";
import { money, parseAmount } from "../domain/money.ts";
import {
  compileRules,
  conditionProblems,
  type Rule,
  runRules,
  type RuleSubject,
} from "../domain/rules.ts";
import { addDays, occurrencesBetween } from "../domain/schedules.ts";
import { validateSplits } from "../domain/splits.ts";
import { applyMapping, MappingSchema } from "../imports/csv-mapping.ts";
import { csvRecords } from "../imports/csv-records.ts";
import { inspect } from "../imports/inspect.ts";
import {
  BASE_CURRENCY,
  DEMO_PASSWORD,
  demoHousehold,
  type DemoHousehold,
  type DemoTransaction,
} from "./seed-data.ts";

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

  it("gives the bank accounts valid IBANs of no real bank, each its own", () => {
    const ibans = household.accounts.flatMap((a) => (a.iban === undefined ? [] : [a.iban]));
    expect(ibans.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ibans).size).toBe(ibans.length);
    for (const iban of ibans) {
      expect(parseIban(iban)).toEqual({ iban });
      expect(iban.slice(4, 8)).toBe("DEMO");
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

  it("has a rate for every foreign currency on every day from the first opening to today", () => {
    const foreign = new Set(household.accounts.map((a) => a.currency));
    foreign.delete(BASE_CURRENCY);
    expect([...foreign].sort()).toEqual(["JPY", "USD"]);
    const first = household.accounts.map((a) => a.openingDate).sort()[0] ?? today;
    for (const currency of foreign) {
      const rates = household.rates.filter((r) => r.currency === currency);
      const days: string[] = [];
      for (let day = first; day <= today; day = addDays(day, 1)) days.push(day);
      expect(
        rates.map((r) => r.day),
        currency,
      ).toEqual(days);
      for (const r of rates) {
        expect(r.quote).toBe(BASE_CURRENCY);
        // Exact decimal text, as the numeric column and the API take it.
        expect(r.rate, `${currency} ${r.day}`).toMatch(/^0\.[0-9]{1,6}$/);
        expect(parseRate(r.rate)).toBeDefined();
      }
    }
    expect(new Set(household.rates.map((r) => r.currency))).toEqual(foreign);
  });

  it("walks each rate within plausible bounds, a small step a day", () => {
    for (const [currency, low, high] of [
      ["USD", 0.85, 0.99],
      ["JPY", 0.0055, 0.0068],
    ] as const) {
      const values = household.rates.filter((r) => r.currency === currency).map((r) => +r.rate);
      expect(Math.min(...values), currency).toBeGreaterThanOrEqual(low);
      expect(Math.max(...values), currency).toBeLessThanOrEqual(high);
      for (let i = 1; i < values.length; i++) {
        const change = Math.abs((values[i] ?? 0) / (values[i - 1] ?? 1) - 1);
        expect(change, `${currency} day ${i}`).toBeLessThan(0.005);
      }
      expect(new Set(values).size, currency).toBeGreaterThan(50);
    }
  });

  it("budgets ten expense categories for this month and the three before", () => {
    const kindOf = new Map(household.categories.map((c) => [c.key, c.kind]));
    const months = [...new Set(household.budgets.map((b) => b.month))];
    expect(months).toEqual(["2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"]);
    for (const month of months) {
      const budgets = household.budgets.filter((b) => b.month === month);
      expect(budgets).toHaveLength(10);
      for (const b of budgets) {
        expect(kindOf.get(b.categoryKey), b.categoryKey).toBe("expense");
        expect(b.amount, b.categoryKey).toBeGreaterThan(0n);
        expect(b.amount % 10_00n, b.categoryKey).toBe(0n);
      }
    }
    expect(household.budgets.find((b) => b.categoryKey === "Housing/Rent")?.amount).toBe(1_450_00n);
    expect(household.rolloverCategoryKeys).toEqual(["Leisure/Travel"]);
    // No budget sits under another: each transaction counts against one budget.
    const keys = new Set(household.budgets.map((b) => b.categoryKey));
    for (const key of keys) {
      for (const other of keys) expect(other.startsWith(`${key}/`), `${key} ${other}`).toBe(false);
    }
  });

  it("sets budgets the ledger keeps in some months and overspends in others", () => {
    const spent = (key: string, month: string) =>
      household.transactions
        .filter((t) => t.currency === BASE_CURRENCY && t.date.startsWith(month.slice(0, 7)))
        .flatMap((t) =>
          t.splits.length > 0
            ? t.splits.map((s) => [s.categoryKey, s.amount] as const)
            : [[t.categoryKey ?? "", t.amount] as const],
        )
        .filter(([k]) => k === key || k.startsWith(`${key}/`))
        .reduce((sum, [, amount]) => sum - amount, 0n);
    const past = household.budgets.filter((b) => b.month < "2026-05-01");
    const over = past.filter((b) => spent(b.categoryKey, b.month) > b.amount);
    const under = past.filter((b) => spent(b.categoryKey, b.month) <= b.amount);
    expect(over.length).toBeGreaterThan(2);
    expect(under.length).toBeGreaterThan(10);
  });

  it("keeps every bill as a monthly schedule whose every due date is paid in the ledger", () => {
    expect(household.bills.map((b) => b.name)).toContain("Rent");
    for (const bill of household.bills) {
      const schedule = {
        unit: "month" as const,
        every: 1,
        dayOfMonth: bill.dayOfMonth,
        startDate: bill.startDate,
        endDate: null,
        occurrences: null,
      };
      // Every occurrence up to today is posted, so none is overdue.
      expect(
        bill.posted.map((p) => p.dueDate),
        bill.name,
      ).toEqual(occurrencesBetween(schedule, bill.startDate, today));
      expect(bill.posted.length, bill.name).toBeGreaterThanOrEqual(12);
      expect(bill.startDate < addDays(household.transactions[0]?.date ?? today, 31)).toBe(true);
      for (const { dueDate, transactionIndex } of bill.posted) {
        expect(household.transactions[transactionIndex], `${bill.name} ${dueDate}`).toMatchObject({
          accountKey: bill.accountKey,
          payee: bill.payee,
          amount: bill.amount,
          date: dueDate,
          categoryKey: bill.categoryKey,
        });
      }
    }
    const linked = household.bills.flatMap((b) => b.posted.map((p) => p.transactionIndex));
    expect(new Set(linked).size).toBe(linked.length);
  });

  it("has valid rules that agree with how the ledger is filed, each matching something", () => {
    expect(household.rules.length).toBeGreaterThanOrEqual(3);
    expect(household.rules.length).toBeLessThanOrEqual(5);
    const categoryKeys = new Set(household.categories.map((c) => c.key));
    const rules: Rule[] = household.rules.map((r, i) => ({
      ...r,
      id: String(i + 1),
      enabled: true,
      conditions: [...r.conditions],
      actions: [...r.actions],
    }));
    for (const rule of rules) {
      for (const condition of rule.conditions) {
        expect(conditionProblems(condition), rule.name).toEqual([]);
      }
      for (const action of rule.actions) {
        if (action.type === "setCategory") expect(categoryKeys).toContain(action.categoryId);
      }
    }
    const compiled = compileRules(rules);
    expect(compiled).toHaveLength(rules.length);
    const matched = new Set<string>();
    household.transactions.forEach((t, i) => {
      const outcome = runRules(compiled, subjectOf(t, i), { ms: Number.POSITIVE_INFINITY });
      expect(outcome.changes, `${t.date} ${t.payee}`).toEqual({});
      for (const id of outcome.matchedRuleIds) matched.add(id);
    });
    expect([...matched].sort()).toEqual(rules.map((r) => r.id).sort());
  });

  it("imported one recent week of checking from a CSV file that reads back as those rows", async () => {
    const { pastImport: imported } = household;
    const rows = imported.transactionIndexes.map((i) => household.transactions[i]);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const [, from = "", to = ""] = /^checking-(.*)-to-(.*)\.csv$/.exec(imported.filename) ?? [];
    expect(addDays(from, 6)).toBe(to);
    expect(new Date(`${from}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(to < addDays(today, -6)).toBe(true);
    expect(imported.committedAt > to).toBe(true);
    const inWeek = household.transactions.filter(
      (t) =>
        t.accountKey === imported.accountKey &&
        t.transferGroup === null &&
        t.date >= from &&
        t.date <= to,
    );
    expect(rows).toEqual(inWeek);
    // Undo refuses reconciled transactions: these are settled, not reconciled.
    expect(rows.every((t) => t?.status === "cleared")).toBe(true);

    const bytes = Buffer.from(imported.csv);
    expect(imported.size).toBe(bytes.length);
    const inspection = await inspect(bytes, true);
    expect(inspection).toMatchObject({ format: "csv", encoding: imported.encoding });
    expect(inspection.preview).toEqual(imported.preview);
    // The amounts have no thousands separator, so the suggestion's guess there is free.
    expect(inspection.suggestedMapping).toMatchObject({
      ...imported.mapping,
      thousandsSeparator: expect.any(String) as unknown,
    });
    const mapping = MappingSchema.parse(imported.mapping);
    const read = [];
    let header: string[] | undefined;
    const text = Readable.from([imported.csv]);
    for await (const record of csvRecords(text, { delimiter: ",", skipRows: 0 })) {
      if (header === undefined) header = record.cells;
      else read.push(applyMapping(mapping, header, record.line, record.cells));
    }
    expect(
      read.map((r) =>
        "row" in r
          ? [r.row.date, parseAmount(r.row.amount, "EUR").minor, r.row.payee, r.row.description]
          : r.problems,
      ),
    ).toEqual(rows.map((t) => [t?.date, t?.amount, t?.payee, t?.description]));
  });
});

/** A demo transaction as rules see it; category and account keys stand in for ids. */
function subjectOf(t: DemoTransaction, index: number): RuleSubject {
  return {
    id: String(index),
    accountId: t.accountKey,
    date: t.date,
    amount: t.amount,
    currency: t.currency,
    payee: t.payee,
    description: t.description,
    notes: t.notes,
    categoryId: t.categoryKey,
    tags: [...t.tags],
    isTransfer: t.transferGroup !== null,
    hasSplits: t.splits.length > 0,
  };
}
