import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Account } from "../../src/routes/accounts/schema.ts";
import type { BudgetReport } from "../../src/read-model/budget-report.ts";
import type { Cashflow } from "../../src/routes/reports/cashflow.ts";
import type { NetWorth } from "../../src/routes/reports/net-worth.ts";
import type { Spending } from "../../src/routes/reports/spending.ts";
import type { TransactionSummaryJson } from "../../src/routes/transactions/schema.ts";
import { useTestDatabase } from "../harness/database.ts";
import {
  aCategory,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../harness/ledger.ts";

// Issue 18: the register, the dashboard and the reports must agree to the cent on every total
// for the same period and account. Random ledgers (transfers and splits included) are booked
// through the API; every total is then read from each place and from the bookings by hand.

type CategoryName = "salary" | "food" | "groceries" | "rent";
const CATEGORIES: readonly (CategoryName | null)[] = [null, "salary", "food", "groceries", "rent"];
const KIND: Record<CategoryName, "income" | "expense"> = {
  salary: "income",
  food: "expense",
  groceries: "expense",
  rent: "expense",
};

interface Line {
  amount: number; // cents, never 0
  category: CategoryName | null;
}
type Booking =
  | { kind: "plain"; account: number; day: number; line: Line }
  | { kind: "split"; account: number; day: number; lines: Line[] }
  | { kind: "transfer"; from: number; to: number; day: number; amount: number };
interface Ledger {
  openings: number[];
  bookings: Booking[];
  range: [number, number];
}

const YEAR_START = Date.UTC(2026, 0, 1);
const LAST_DAY = 119; // 2026-04-30
const dateOf = (day: number) => new Date(YEAR_START + day * 86_400_000).toISOString().slice(0, 10);
const money = (cents: number) =>
  `${cents < 0 ? "-" : ""}${String(Math.floor(Math.abs(cents) / 100))}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;
const cents = (text: string) => {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (match === null) throw new Error(`not an amount: ${text}`);
  const value = Number(match[2]) * 100 + Number(match[3]);
  return match[1] === "-" ? -value : value;
};

const amount = fc.integer({ min: -250_000, max: 250_000 }).filter((n) => n !== 0);
const line = fc.record({ amount, category: fc.constantFrom(...CATEGORIES) });
const ledger: fc.Arbitrary<Ledger> = fc.integer({ min: 1, max: 3 }).chain((accounts) => {
  const account = fc.integer({ min: 0, max: accounts - 1 });
  const day = fc.integer({ min: 0, max: LAST_DAY });
  const booking: fc.Arbitrary<Booking> = fc.oneof(
    fc.record({ kind: fc.constant("plain" as const), account, day, line }),
    // A split's lines all go one way: money in and out cannot mix in one transaction.
    fc
      .record({
        kind: fc.constant("split" as const),
        account,
        day,
        sign: fc.constantFrom(1, -1),
        lines: fc.array(
          fc.record({
            amount: fc.integer({ min: 1, max: 100_000 }),
            category: fc.constantFrom(...CATEGORIES),
          }),
          { minLength: 2, maxLength: 3 },
        ),
      })
      .map(({ sign, lines, ...rest }) => ({
        ...rest,
        lines: lines.map((x) => ({ ...x, amount: sign * x.amount })),
      })),
    ...(accounts > 1
      ? [
          fc
            .record({
              kind: fc.constant("transfer" as const),
              from: account,
              to: account,
              day,
              amount: fc.integer({ min: 1, max: 250_000 }),
            })
            .filter((t) => t.from !== t.to),
        ]
      : []),
  );
  return fc.record({
    openings: fc.array(fc.integer({ min: -500_000, max: 500_000 }), {
      minLength: accounts,
      maxLength: accounts,
    }),
    bookings: fc.array(booking, { minLength: 1, maxLength: 18 }),
    range: fc.tuple(day, day).map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a])),
  });
});

/** What every place should show, worked out from the bookings alone. */
function expected(l: Ledger) {
  const balances = [...l.openings];
  const inRange = (day: number) => day >= l.range[0] && day <= l.range[1];
  let registerNet = 0;
  let income = 0;
  let expense = 0;
  for (const b of l.bookings) {
    if (b.kind === "transfer") {
      balances[b.from] = (balances[b.from] ?? 0) - b.amount;
      balances[b.to] = (balances[b.to] ?? 0) + b.amount;
      continue; // both sides on one day: they cancel in every household total
    }
    const lines = b.kind === "plain" ? [b.line] : b.lines;
    const total = lines.reduce((s, x) => s + x.amount, 0);
    balances[b.account] = (balances[b.account] ?? 0) + total;
    if (!inRange(b.day)) continue;
    registerNet += total;
    for (const x of lines) {
      const kind = x.category === null ? (x.amount > 0 ? "income" : "expense") : KIND[x.category];
      if (kind === "income") income += x.amount;
      else expense += x.amount;
    }
  }
  return { balances, registerNet, income, expense };
}

/** The net of the expense categories' lines in `month` ("YYYY-MM"). */
function expenseCategoriesIn(l: Ledger, month: string): number {
  let total = 0;
  for (const b of l.bookings) {
    if (b.kind === "transfer" || !dateOf(b.day).startsWith(month)) continue;
    for (const x of b.kind === "plain" ? [b.line] : b.lines)
      if (x.category !== null && KIND[x.category] === "expense") total += x.amount;
  }
  return total;
}

describe("the register, the dashboard and the reports", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;
  const categoryIds = new Map<CategoryName, string>();

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
    categoryIds.set("salary", (await aCategory(member, "Salary", { kind: "income" })).id);
    const food = await aCategory(member, "Food");
    categoryIds.set("food", food.id);
    categoryIds.set("groceries", (await aCategory(member, "Groceries", { parentId: food.id })).id);
    categoryIds.set("rent", (await aCategory(member, "Rent")).id);
  });
  afterAll(async () => {
    await app.close();
  });

  const ok = async <T>(path: string): Promise<T> => {
    const res = await member.get(path);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body as T;
  };
  const post = async (path: string, body: unknown): Promise<{ id: string }> => {
    const res = await member.post(path, body);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(201);
    return res.body as { id: string };
  };
  const categoryOf = (name: CategoryName | null) =>
    name === null ? null : (categoryIds.get(name) ?? null);

  async function book(l: Ledger): Promise<string[]> {
    await app.pool.query("delete from transactions");
    await app.pool.query("delete from accounts");
    const accounts: string[] = [];
    for (const [index, opening] of l.openings.entries()) {
      const type = index === 2 ? "credit_card" : index === 1 ? "savings" : "checking";
      const created = await post("/accounts", {
        name: `Account ${String(index)}`,
        type,
        currency: "EUR",
        openingBalance: money(opening),
        // The opening balance holds from this day: before every booking, as a household
        // starting its books on 1 January would set it.
        openingDate: dateOf(0),
      });
      accounts.push(created.id);
    }
    for (const b of l.bookings) {
      const date = dateOf(b.day);
      if (b.kind === "transfer") {
        await post("/transactions", {
          accountId: accounts[b.from],
          date,
          amount: money(-b.amount),
          transfer: { accountId: accounts[b.to] },
        });
      } else if (b.kind === "plain") {
        await post("/transactions", {
          accountId: accounts[b.account],
          date,
          amount: money(b.line.amount),
          categoryId: categoryOf(b.line.category),
        });
      } else {
        await post("/transactions", {
          accountId: accounts[b.account],
          date,
          amount: money(b.lines.reduce((s, x) => s + x.amount, 0)),
          splits: b.lines.map((x) => ({
            amount: money(x.amount),
            categoryId: categoryOf(x.category),
          })),
        });
      }
    }
    return accounts;
  }

  it("agree to the cent on random ledgers with transfers and splits", async () => {
    await fc.assert(
      fc.asyncProperty(ledger, async (l) => {
        const accounts = await book(l);
        const want = expected(l);
        const [from, to] = [dateOf(l.range[0]), dateOf(l.range[1])];

        // Each account: its balance, the register's total of it, and the opening as booked.
        for (const [index, id] of accounts.entries()) {
          const account = await ok<Account>(`/accounts/${id}`);
          expect(cents(account.balance), JSON.stringify(account)).toBe(want.balances[index]);
          const register = await ok<TransactionSummaryJson>(
            `/transactions/summary?accountId=${id}`,
          );
          const registerNet = (register.totals ?? []).reduce((s, t) => s + cents(t.net), 0);
          expect(registerNet + (l.openings[index] ?? 0), JSON.stringify(register)).toBe(
            want.balances[index],
          );
        }

        // The period: the register over every account, the cash flow and the spending report.
        const register = await ok<TransactionSummaryJson>(
          `/transactions/summary?from=${from}&to=${to}`,
        );
        expect((register.totals ?? []).reduce((s, t) => s + cents(t.net), 0)).toBe(
          want.registerNet,
        );
        const cashflow = await ok<Cashflow>(`/reports/cashflow?from=${from}&to=${to}`);
        const flows = cashflow.points.reduce(
          (s, p) => ({
            income: s.income + cents(p.income),
            expense: s.expense + cents(p.expense),
            net: s.net + cents(p.net),
          }),
          { income: 0, expense: 0, net: 0 },
        );
        expect(flows).toEqual({
          income: want.income,
          expense: want.expense,
          net: want.registerNet,
        });
        const spending = await ok<Spending>(`/reports/spending?from=${from}&to=${to}`);
        expect(cents(spending.total)).toBe(want.expense);

        // The dashboard: net worth at the end of April (every booking is on or before it) is
        // the sum of the balances the accounts screen shows.
        const worth = await ok<NetWorth>("/reports/net-worth?from=2026-04&to=2026-04");
        const april = worth.points.at(-1);
        expect(april?.date).toBe("2026-04-30");
        expect(cents(april?.net ?? "x")).toBe(want.balances.reduce((s, b) => s + b, 0));
        expect(cents(april?.assets ?? "x") + cents(april?.liabilities ?? "x")).toBe(
          cents(april?.net ?? "x"),
        );

        // The budget month of the range's start, without budgets: the activity of every
        // expense category counted once, as not budgeted (uncategorised lines are not in it).
        const month = from.slice(0, 7);
        const budget = await ok<BudgetReport>(`/reports/budget?month=${month}`);
        expect(budget.totals.budgeted).toBe("0.00");
        expect(cents(budget.totals.unbudgeted)).toBe(expenseCategoriesIn(l, month));
      }),
      { numRuns: 25, seed: Number(process.env.FINTRACK_PROPERTY_SEED ?? Date.now() % 2 ** 31) },
    );
  }, 240_000);
});
