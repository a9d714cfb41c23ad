import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness/database.ts";
import { type LedgerTestApp, startLedgerApp, type TestClient } from "../../test/harness/ledger.ts";
import { verifyPassword } from "../auth/passwords.ts";
import { migrate } from "../db/migrate.ts";
import type { BudgetReport } from "../read-model/budget-report.ts";
import type { MissingRate } from "../read-model/conversion.ts";
import type { ImportJson } from "../routes/imports/schema.ts";
import type { NetWorth } from "../routes/reports/net-worth.ts";
import type { Spending } from "../routes/reports/spending.ts";
import type { RuleJson } from "../routes/rules/schema.ts";
import { DEMO_PASSWORD, demoHousehold } from "./seed-data.ts";
import { seedDemo, type SeedResult } from "./seed.ts";

const today = "2026-05-14";

describe("seedDemo", () => {
  const db = useTestDatabase();
  let pool: pg.Pool;
  let first: SeedResult;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrate(pool);
    first = await seedDemo(pool, today);
  });
  afterAll(async () => {
    await pool.end();
  });

  async function count(table: string): Promise<number> {
    const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    return rows[0]?.n ?? -1;
  }

  it("inserts the whole household into an empty database", async () => {
    const household = demoHousehold(today);
    const splits = household.transactions.reduce((n, t) => n + t.splits.length, 0);
    expect(first).toEqual({
      seeded: true,
      users: 3,
      accounts: household.accounts.length,
      categories: household.categories.length,
      transactions: household.transactions.length,
      splits,
      rates: household.rates.length,
      budgets: household.budgets.length,
      bills: household.bills.length,
      rules: household.rules.length,
      imports: 1,
    });
    expect(await count("users")).toBe(3);
    expect(await count("accounts")).toBe(household.accounts.length);
    expect(await count("categories")).toBe(household.categories.length);
    expect(await count("transactions")).toBe(household.transactions.length);
    expect(await count("transaction_splits")).toBe(splits);
    expect(await count("exchange_rates")).toBe(household.rates.length);
    expect(await count("budgets")).toBe(household.budgets.length);
    expect(await count("budget_rollovers")).toBe(household.rolloverCategoryKeys.length);
    expect(await count("recurring")).toBe(household.bills.length);
    expect(await count("recurring_occurrences")).toBe(
      household.bills.reduce((n, b) => n + b.posted.length, 0),
    );
    expect(await count("rules")).toBe(household.rules.length);
    expect(await count("imports")).toBe(1);
  });

  it("links each bill's occurrences to its own payments, none created by fintrack", async () => {
    const { rows } = await pool.query<{ mismatched: number; linked: number }>(
      `select count(*) filter (where t.account_id <> r.account_id or t.payee <> r.payee
                or t.amount <> r.amount or t.booking_date <> o.due_date
                or o.created or o.status <> 'posted')::int as mismatched,
              count(*)::int as linked
       from recurring_occurrences o join recurring r on r.id = o.recurring_id
       join transactions t on t.id = o.transaction_id`,
    );
    expect(rows[0]?.mismatched).toBe(0);
    expect(rows[0]?.linked).toBe(await count("recurring_occurrences"));
  });

  it("stores rules whose categories are the ones the rules name", async () => {
    const { rows } = await pool.query<{ name: string; category: string | null }>(
      `select r.name, c.name as category from rules r
       left join lateral jsonb_array_elements(r.actions) a on a ->> 'type' = 'setCategory'
       left join categories c on c.id = (a ->> 'categoryId')::bigint order by r.position`,
    );
    expect(rows.map((r) => r.category)).toEqual([
      "Groceries",
      "Restaurants",
      "Coffee & snacks",
      "Fuel",
      null,
    ]);
  });

  it("lets the owner sign in with the demo password", async () => {
    const { rows } = await pool.query<{ role: string; name: string; password_hash: string }>(
      "select role, name, password_hash from users where lower(email) = 'demo@fintrack.local'",
    );
    expect(rows[0]?.role).toBe("owner");
    expect(rows[0]?.name).toBe("Alex Demo");
    expect(await verifyPassword(rows[0]?.password_hash ?? "", DEMO_PASSWORD)).toBe(true);
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
  });

  it("keeps accounts.transactions_total equal to the sum of each account's transactions", async () => {
    const { rows } = await pool.query<{ name: string; total: string; sum: string }>(
      `select a.name, a.transactions_total::text as total, coalesce(sum(t.amount), 0)::text as sum
       from accounts a left join transactions t on t.account_id = a.id group by a.id`,
    );
    const household = demoHousehold(today);
    for (const account of household.accounts) {
      const row = rows.find((r) => r.name === account.name);
      const expected = household.transactions
        .filter((t) => t.accountKey === account.key)
        .reduce((s, t) => s + t.amount, 0n);
      expect(row?.total, account.name).toBe(expected.toString());
      expect(row?.sum, account.name).toBe(expected.toString());
    }
  });

  it("stores splits that add up to their transaction, under their categories", async () => {
    const { rows } = await pool.query<{ mismatched: number; household: number }>(
      `select count(*) filter (where t.amount <> s.total)::int as mismatched,
              count(*) filter (where s.household)::int as household
       from transactions t
       join (select transaction_id, sum(sp.amount) as total,
                    bool_or(c.name = 'Household') as household
             from transaction_splits sp join categories c on c.id = sp.category_id
             group by transaction_id) s on s.transaction_id = t.id`,
    );
    expect(rows[0]?.mismatched).toBe(0);
    expect(rows[0]?.household).toBeGreaterThan(10);
  });

  it("links both halves of each transfer through one transfer group", async () => {
    const { rows } = await pool.query<{
      halves: number;
      accounts: number;
      same: boolean;
      sum: string;
    }>(
      `select count(*)::int as halves, count(distinct account_id)::int as accounts,
              count(distinct currency) = 1 as same, sum(amount)::text as sum
       from transactions where transfer_group is not null group by transfer_group`,
    );
    expect(rows.length).toBeGreaterThan(30);
    for (const group of rows) {
      expect(group.halves).toBe(2);
      expect(group.accounts).toBe(2);
      if (group.same) expect(group.sum).toBe("0");
    }
  });

  it("builds the category tree with its parents", async () => {
    const { rows } = await pool.query<{ path: string }>(
      `select gp.name || '/' || p.name || '/' || c.name as path
       from categories c join categories p on p.id = c.parent_id
       join categories gp on gp.id = p.parent_id where c.name = 'Electricity'`,
    );
    expect(rows.map((r) => r.path)).toEqual(["Housing/Utilities/Electricity"]);
  });

  it("seeds nothing when run again, and leaves the data as it was", async () => {
    const before = await count("transactions");
    const again = await seedDemo(pool, "2026-06-01");
    expect(again.seeded).toBe(false);
    expect(await count("users")).toBe(3);
    expect(await count("transactions")).toBe(before);
  });

  it("hands out ids after the seeded ones to rows created later", async () => {
    const { rows } = await pool.query<{ fresh: boolean }>(
      `insert into categories (name, kind) values ('Pets', 'expense')
       returning id > (select max(id) from categories where name <> 'Pets') as fresh`,
    );
    expect(rows[0]?.fresh).toBe(true);
  });
});

// What a newcomer's first screens read, through the API, on the household seeded as of today
// (the routes read the real clock for what is due and upcoming).
describe("the seeded demo household, read through the API", () => {
  const db = useTestDatabase();
  const today = new Date().toISOString().slice(0, 10);
  const household = demoHousehold(today);
  const opened = household.accounts[0]?.openingDate ?? today;
  const months = [...new Set(household.budgets.map((b) => b.month.slice(0, 7)))];
  let app: LedgerTestApp;
  let owner: TestClient;

  beforeAll(async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    await migrate(pool);
    await seedDemo(pool, today);
    await pool.end();
    // The test users join the demo's; they act through tokens of their own.
    app = await startLedgerApp(db.url);
    owner = app.as(app.owner);
  });
  afterAll(async () => {
    await app.close();
  });

  async function read<T>(path: string): Promise<T> {
    const res = await owner.get(path);
    expect(res.status, `GET ${path}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body as T;
  }

  it("converts every total of net worth and spending: no missing rates", async () => {
    const everyMonth = `from=${opened.slice(0, 7)}&to=${today.slice(0, 7)}`;
    const netWorth = await read<NetWorth>(`/reports/net-worth?${everyMonth}`);
    expect(netWorth.missingRates).toEqual<MissingRate[]>([]);
    expect(netWorth.points.length).toBeGreaterThanOrEqual(12);
    expect((await read<NetWorth>("/reports/net-worth")).missingRates).toEqual([]);
    for (const groupBy of ["category", "payee", "tag"]) {
      const spending = await read<Spending>(
        `/reports/spending?from=${opened}&to=${today}&groupBy=${groupBy}`,
      );
      expect(spending.missingRates, groupBy).toEqual([]);
      expect(spending.groups.length, groupBy).toBeGreaterThanOrEqual(2);
    }
    expect((await read<Spending>("/reports/spending")).missingRates).toEqual([]);
  });

  it("budgets this month and the three before, some over and some under", async () => {
    const lines = [];
    for (const month of months) {
      const report = await read<BudgetReport>(`/reports/budget?month=${month}`);
      expect(report.missingRates, month).toEqual([]);
      const budgeted = report.lines.filter((l) => l.hasBudget);
      expect(budgeted.map((l) => l.name).sort(), month).toEqual(
        [
          "Coffee & snacks",
          "Groceries",
          "Insurance",
          "Rent",
          "Restaurants",
          "Shopping",
          "Subscriptions",
          "Transport",
          "Travel",
          "Utilities",
        ].sort(),
      );
      if (month !== today.slice(0, 7)) lines.push(...budgeted);
    }
    expect(months).toHaveLength(4);
    expect(lines.some((l) => l.available.startsWith("-"))).toBe(true);
    expect(lines.some((l) => !l.available.startsWith("-") && l.spent !== "0.00")).toBe(true);
    expect(lines.filter((l) => l.rollover).map((l) => l.name)).toEqual([
      "Travel",
      "Travel",
      "Travel",
    ]);
  });

  it("lists every bill with its next occurrence upcoming and nothing overdue", async () => {
    const bills = await read<{ data: { id: string; name: string }[] }>("/recurring");
    expect(bills.data.map((b) => b.name).sort()).toEqual(household.bills.map((b) => b.name).sort());
    const upcoming = await read<{ data: { recurringId: string; date: string; due: boolean }[] }>(
      "/recurring/upcoming?days=31",
    );
    expect(upcoming.data.filter((o) => o.due || o.date <= today)).toEqual([]);
    expect(new Set(upcoming.data.map((o) => o.recurringId))).toEqual(
      new Set(bills.data.map((b) => b.id)),
    );
  });

  it("keeps rules the API shows, and that agree with how the ledger is filed", async () => {
    const rules = await read<{ data: RuleJson[] }>("/rules");
    expect(rules.data.map((r) => r.name)).toEqual(household.rules.map((r) => r.name));
    const res = await owner.post("/rules/apply", { dryRun: true, limit: 5000 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const result = res.body as { examined: number; changes: unknown[] };
    expect(result.examined).toBeGreaterThan(0);
    expect(result.changes).toEqual([]);
  });

  it("shows the past import, and undoes it: exactly its transactions go", async () => {
    const { pastImport } = household;
    const list = await read<{ data: ImportJson[] }>("/imports");
    expect(list.data).toHaveLength(1);
    const [listed] = list.data;
    expect(listed).toMatchObject({
      filename: pastImport.filename,
      format: "csv",
      status: "committed",
      rowCount: pastImport.transactionIndexes.length,
      imported: pastImport.transactionIndexes.length,
    });
    const { rows: before } = await app.pool.query<{ n: number; imported: number }>(
      `select count(*)::int as n, count(import_id)::int as imported from transactions`,
    );
    expect(before[0]?.imported).toBe(pastImport.transactionIndexes.length);
    const undone = await owner.delete(`/imports/${listed?.id ?? ""}`);
    expect(undone.status, JSON.stringify(undone.body)).toBe(200);
    expect(undone.body).toMatchObject({
      status: "undone",
      removed: pastImport.transactionIndexes.length,
    });
    const { rows: after } = await app.pool.query<{ n: number; imported: number }>(
      `select count(*)::int as n, count(import_id)::int as imported from transactions`,
    );
    expect(after[0]).toEqual({
      n: (before[0]?.n ?? 0) - pastImport.transactionIndexes.length,
      imported: 0,
    });
  });
});
