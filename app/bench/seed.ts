import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

/** What the benchmark seeded, for its requests to aim at. */
export interface SeededLedger {
  accountIds: string[];
  categoryIds: string[];
  transactions: number;
  /** The first day of the five seeded years (YYYY-MM-DD). */
  from: string;
  /** Words that occur in payees, for `q` searches that find something. */
  searchWords: string[];
}

const payees = [
  "Lidl",
  "Albert Heijn",
  "Rewe",
  "Edeka",
  "Carrefour",
  "Shell",
  "Aral",
  "Deutsche Bahn",
  "Spotify",
  "Netflix",
  "Amazon",
  "Zalando",
  "IKEA",
  "Decathlon",
  "Apotheke am Markt",
  "Stadtwerke",
  "Vodafone",
  "Allianz",
  "Bäckerei Schmidt",
  "Café Central",
];
const words = [
  "weekly",
  "groceries",
  "refund",
  "invoice",
  "subscription",
  "fuel",
  "ticket",
  "gift",
];

/** A small deterministic PRNG (mulberry32): the same data on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** COPY text format needs backslash, tab and newline escaped. */
function copyText(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n");
}

/**
 * Seeds `accounts` accounts and `count` transactions over five years from `from` (default
 * 2021-01-01) with COPY: rows are generated in chunks and streamed, so memory stays flat
 * whatever the count.
 */
export async function seedLedger(
  pool: pg.Pool,
  options: { accounts: number; transactions: number; from?: string },
): Promise<SeededLedger> {
  const from = options.from ?? "2021-01-01";
  const accountRows = await pool.query<{ id: string }>(
    `insert into accounts (name, type, currency, opening_balance, opening_date)
     select 'Account ' || n, (array['checking','savings','credit_card','cash'])[1 + n % 4], 'EUR',
            100000, $2::date
     from generate_series(1, $1::int) n returning id::text`,
    [options.accounts, from],
  );
  const accountIds = accountRows.rows.map((r) => r.id);
  const categoryRows = await pool.query<{ id: string }>(
    `insert into categories (name, kind)
     select 'Category ' || n, case when n <= 3 then 'income' else 'expense' end
     from generate_series(1, 30) n returning id::text`,
  );
  const categoryIds = categoryRows.rows.map((r) => r.id);

  const random = prng(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const start = Date.parse(`${from}T00:00:00Z`);
  const days = 5 * 365;
  const chunkRows = 20_000;
  function* lines(): Generator<string> {
    for (let done = 0; done < options.transactions; done += chunkRows) {
      let chunk = "";
      for (let i = done; i < Math.min(done + chunkRows, options.transactions); i++) {
        const date = new Date(start + Math.floor(random() * days) * 86_400_000)
          .toISOString()
          .slice(0, 10);
        const amount = -Math.floor(random() * 20_000) - 1;
        const payee = pick(payees);
        const description = `${pick(words)} ${pick(words)} #${String(i)}`;
        const tags = random() < 0.05 ? "{vacation}" : "{}";
        const status = random() < 0.9 ? "cleared" : "pending";
        chunk += `${pick(accountIds)}\t${date}\t${String(amount)}\tEUR\t${copyText(payee)}\t${copyText(description)}\t${pick(categoryIds)}\t${tags}\t${status}\n`;
      }
      yield chunk;
    }
  }

  const client = await pool.connect();
  // The audit trail of a synthetic million rows measures nothing the benchmark reports; the
  // balance and report aggregates stay on, since the measured queries read them.
  await client.query("alter table transactions disable trigger transactions_audit_insert");
  try {
    const copy = client.query(
      copyFrom(
        "copy transactions (account_id, booking_date, amount, currency, payee, description, category_id, tags, status) from stdin",
      ),
    );
    await pipeline(Readable.from(lines()), copy);
  } finally {
    await client.query("alter table transactions enable trigger transactions_audit_insert");
    client.release();
  }
  // As a settled database would be: statistics, and a visibility map for index-only scans (else
  // autovacuum does it in the middle of the measurements).
  await pool.query("vacuum (analyze)");
  return {
    accountIds,
    categoryIds,
    transactions: options.transactions,
    from,
    searchWords: ["heijn", "bahn", "apotheke", "café", "zalando"],
  };
}

/**
 * What the report scenarios need beside the ledger: monthly budgets for ten expense categories
 * over the five seeded years (half of them rolling over, so the budget report walks five years
 * back), and a daily USD rate, so rate lookups have a realistic table to search. The budgets
 * start in the month of `seeded.from`; the rates cover 2021 to 2025.
 */
export async function seedMoneyFeatures(pool: pg.Pool, seeded: SeededLedger): Promise<void> {
  const budgeted = seeded.categoryIds.slice(3, 13);
  await pool.query(
    `insert into budgets (category_id, month, amount)
     select c, (date_trunc('month', $2::date) + m * interval '1 month')::date, 5000000
     from unnest($1::bigint[]) c cross join generate_series(0, 59) m`,
    [budgeted, seeded.from],
  );
  await pool.query("insert into budget_rollovers select unnest($1::bigint[])", [
    budgeted.slice(0, 5),
  ]);
  await pool.query(
    `insert into exchange_rates (currency, quote, day, rate)
     select 'USD', 'EUR', d::date, 0.9 + (extract(doy from d) / 10000)
     from generate_series(date '2021-01-01', date '2025-12-31', interval '1 day') d`,
  );
  // As a settled database would be: statistics, and a visibility map for index-only scans (else
  // autovacuum does it in the middle of the measurements).
  await pool.query("vacuum (analyze)");
}
