import type pg from "pg";

/** Per-table row counts and the ledger's sums: what a faithful restore must reproduce. */
export interface LedgerFingerprint {
  transactions: number;
  splits: number;
  transactionsSum: string;
  splitsSum: string;
  accountTotals: string;
}

/**
 * Fills a migrated database with a household ledger of `transactions` rows (about one in ten
 * split in two), in a few set-based statements so a million rows take seconds, not minutes.
 */
export async function seedLedger(db: pg.Pool | pg.ClientBase, transactions: number): Promise<void> {
  await db.query(
    `insert into users (email, name, password_hash, role)
     values ('owner@example.com', 'Owner', 'x', 'owner')`,
  );
  await db.query(
    `insert into accounts (name, type, currency, opening_date)
     select 'Account ' || n, 'checking', 'EUR', date '2020-01-01' from generate_series(1, 4) n`,
  );
  await db.query(
    `insert into categories (name, kind)
     select 'Category ' || n, case when n % 5 = 0 then 'income' else 'expense' end
       from generate_series(1, 20) n`,
  );
  await db.query(
    `insert into transactions (account_id, booking_date, amount, currency, payee, description, category_id, tags)
     select (select min(id) from accounts) + n % 4,
            date '2020-01-01' + (n % 1800),
            ((n::bigint * 7919) % 200000) - 150000,
            'EUR',
            'Payee ' || (n % 997),
            md5(n::text),
            (select min(id) from categories) + n % 20,
            case when n % 3 = 0 then array['groceries'] else '{}' end
       from generate_series(1, $1::int) n`,
    [transactions],
  );
  await db.query(
    `insert into transaction_splits (transaction_id, position, amount)
     select t.id, p, case when p = 1 then t.amount / 2 else t.amount - t.amount / 2 end
       from transactions t cross join generate_series(1, 2) p
      where t.id % 10 = 0`,
  );
  await db.query("analyze");
}

/** The ledger's row counts and sums, as text so bigint sums compare exactly. */
export async function fingerprint(db: pg.Pool | pg.ClientBase): Promise<LedgerFingerprint> {
  const { rows } = await db.query<LedgerFingerprint>(
    `select (select count(*)::int from transactions) as transactions,
            (select count(*)::int from transaction_splits) as splits,
            (select coalesce(sum(amount), 0)::text from transactions) as "transactionsSum",
            (select coalesce(sum(amount), 0)::text from transaction_splits) as "splitsSum",
            (select string_agg(transactions_total::text, ',' order by id) from accounts) as "accountTotals"`,
  );
  const row = rows[0];
  if (!row) throw new Error("no fingerprint row");
  return row;
}
