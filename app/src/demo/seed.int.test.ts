import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness/database.ts";
import { verifyPassword } from "../auth/passwords.ts";
import { migrate } from "../db/migrate.ts";
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
    });
    expect(await count("users")).toBe(3);
    expect(await count("accounts")).toBe(household.accounts.length);
    expect(await count("categories")).toBe(household.categories.length);
    expect(await count("transactions")).toBe(household.transactions.length);
    expect(await count("transaction_splits")).toBe(splits);
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
