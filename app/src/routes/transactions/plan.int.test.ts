import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import { migrate } from "../../db/migrate.ts";
import { listQuery, listTransactions, SEARCH_WINDOW } from "./read.ts";
import { ListTransactionsQuerySchema } from "./schema.ts";

// The list must stay fast on a large ledger: these tests seed enough rows for the planner to
// care, then check the plans it picks and that the bounded search finds what a scan would.
describe("the transaction list's query plans", () => {
  const db = useTestDatabase();
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    await migrate(pool);
    await pool.query(`insert into accounts (name, type, currency, opening_date)
      select 'Plan ' || i, 'checking', 'EUR', '2019-01-01' from generate_series(1, 10) i`);
    // The older half pays "Streamflix", the newer half mostly "Grocer": a word common in the
    // ledger but rare among its newest rows, the case where walking the list in order goes wrong.
    await pool.query(`insert into transactions (account_id, booking_date, amount, currency, payee,
        description, tags)
      select 1 + i % 10, date '2020-01-01' + i / 20, -(i % 5000), 'EUR',
        case when i <= 30000 or i % 200 = 0 then 'Streamflix ' || i % 97 else 'Grocer ' || i % 89 end,
        'ref ' || md5(i::text), case when i % 50 = 0 then array['rare'] else '{}' end
      from generate_series(1, 60000) i`);
    await pool.query("analyze transactions");
  });
  afterAll(async () => {
    await pool.end();
  });

  const plan = async (filter: Parameters<typeof listQuery>[0]) => {
    const { text, values } = listQuery(filter);
    const { rows } = await pool.query<{ "QUERY PLAN": string }>(
      `explain (costs off) ${text}`,
      values,
    );
    return rows.map((row) => row["QUERY PLAN"]).join("\n");
  };

  it("pages the whole list through the page index, without sorting or OFFSET", async () => {
    const first = await plan({ take: 51 });
    expect(first).toMatch(/Index (Only )?Scan using transactions_page_idx/);
    expect(first).not.toMatch(/Seq Scan on transactions|Sort Key: \S*booking_date|Offset/);
    const next = await plan({ take: 51, after: { date: "2021-06-01", id: "30000" } });
    expect(next).toMatch(/Index Cond: \(ROW\(booking_date, id\) < ROW\(/);
    expect(next).not.toMatch(/Seq Scan on transactions|Sort Key: \S*booking_date/);
  });

  it("pages one account through a page index in order", async () => {
    // With a tenth of the rows in the account, walking the general page index is as good.
    const text = await plan({ take: 51, accountId: "3" });
    expect(text).toMatch(/Index (Only )?Scan using transactions_(account_)?page_idx/);
    expect(text).not.toMatch(/Seq Scan on transactions|Sort Key: \S*booking_date/);
  });

  it("finds rare words through the trigram index", async () => {
    const text = await plan({ take: 51, q: "4a7d1ed414474e4033ac29ccb8653d9b" });
    expect(text).toMatch(/Bitmap Index Scan on transactions_search_idx/);
  });

  it("joins splits and transfers only for the page's rows", async () => {
    const text = await plan({ take: 51 });
    expect(text).toMatch(/Index Cond: \(transaction_id = t\.id\)/);
    expect(text).toMatch(/Index Scan using transactions_transfer_idx/);
    expect(text).not.toMatch(/Seq Scan on transaction_splits/);
  });

  it("finds a word common in old rows but rare in new ones, in and past the walked window", async () => {
    const statements: string[] = [];
    const recording = {
      query: (text: string, values: unknown[]) => {
        statements.push(text);
        return pool.query(text, values);
      },
    } as unknown as pg.Pool;
    const query = ListTransactionsQuerySchema.parse({ q: "STREAMFLIX", limit: "50" });
    const page = await listTransactions(recording, query);
    const { rows } = await pool.query<{ id: string }>(
      `select id::text from transactions where payee ilike '%streamflix%'
       order by booking_date desc, id desc limit 50`,
    );
    expect(page.data.map((t) => t.id)).toEqual(rows.map((row) => row.id));
    // The walk of the window, where it ended, and the trigram search past it; no planning.
    expect(statements).toHaveLength(3);
    expect(statements.some((text) => text.startsWith("explain"))).toBe(false);

    const next = await listTransactions(
      pool,
      ListTransactionsQuerySchema.parse({ q: "streamflix", cursor: page.nextCursor }),
    );
    const { rows: after } = await pool.query<{ id: string }>(
      `select id::text from transactions where payee ilike '%streamflix%'
       order by booking_date desc, id desc offset 50 limit 50`,
    );
    expect(next.data.map((t) => t.id)).toEqual(after.map((row) => row.id));
  });

  it("fills the page from the walked window when the word is common among new rows", async () => {
    const page = await listTransactions(pool, ListTransactionsQuerySchema.parse({ q: "grocer" }));
    const { rows } = await pool.query<{ id: string }>(
      `select id::text from transactions where payee ilike '%grocer%'
       order by booking_date desc, id desc limit 50`,
    );
    expect(page.data.map((t) => t.id)).toEqual(rows.map((row) => row.id));
    expect(SEARCH_WINDOW).toBeGreaterThan(50);
  });

  it("combines the window with other filters and still agrees with a scan", async () => {
    const query = ListTransactionsQuerySchema.parse({ q: "streamflix", tag: "rare", limit: "20" });
    const page = await listTransactions(pool, query);
    const { rows } = await pool.query<{ id: string }>(
      `select id::text from transactions where payee ilike '%streamflix%' and 'rare' = any(tags)
       order by booking_date desc, id desc limit 20`,
    );
    expect(page.data.map((t) => t.id)).toEqual(rows.map((row) => row.id));
  });
});
