import { createHash } from "node:crypto";
import type pg from "pg";
import { hashPassword } from "../auth/passwords.ts";
import { demoHousehold, type DemoHousehold } from "./seed-data.ts";

/** What seedDemo did: `seeded` false when the database already had users, and the row counts. */
export interface SeedResult {
  seeded: boolean;
  users: number;
  accounts: number;
  categories: number;
  transactions: number;
  splits: number;
  rates: number;
  budgets: number;
  bills: number;
  rules: number;
  imports: number;
}

// Two demo processes starting on one database at once seed it once: the second waits here.
const seedLockKey = createHash("sha256")
  .update("fintrack:demo-seed")
  .digest()
  .readBigInt64BE(0)
  .toString();

/**
 * Inserts the demo household as of `today` (YYYY-MM-DD) into a migrated database, in one SQL
 * transaction, only when it has no users yet; otherwise it changes nothing. Each table takes
 * one statement: ids are drawn from the identity sequences first, so rows can refer to each
 * other (category parents, transaction splits, bill occurrences, the import's transactions)
 * before they are inserted.
 */
export async function seedDemo(pool: pg.Pool, today: string, seed = 42): Promise<SeedResult> {
  const none: SeedResult = {
    seeded: false,
    users: 0,
    accounts: 0,
    categories: 0,
    transactions: 0,
    splits: 0,
    rates: 0,
    budgets: 0,
    bills: 0,
    rules: 0,
    imports: 0,
  };
  if (await hasUsers(pool)) return none;
  const household = demoHousehold(today, seed);
  // Hashing is slow on purpose: do it before taking the lock and opening the transaction.
  const hashes = await Promise.all(household.users.map(() => hashPassword(household.password)));

  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query("select pg_advisory_xact_lock($1::bigint)", [seedLockKey]);
    if (await hasUsers(client)) {
      await client.query("rollback");
      return none;
    }
    const result = await insertHousehold(client, household, hashes);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw new Error("seeding the demo household failed", { cause: error });
  } finally {
    client.release();
  }
}

async function hasUsers(db: pg.Pool | pg.PoolClient): Promise<boolean> {
  const { rows } = await db.query<{ any: boolean }>("select exists (select from users) as any");
  return rows[0]?.any === true;
}

/** `count` fresh ids from the identity sequence of `table`'s id column. */
async function allocateIds(client: pg.PoolClient, table: string, count: number): Promise<string[]> {
  const { rows } = await client.query<{ ids: string[] }>(
    "select array(select nextval(pg_get_serial_sequence($1, 'id')) from generate_series(1, $2)) as ids",
    [table, count],
  );
  return rows[0]?.ids ?? [];
}

/** Maps keys to the ids allocated for them, in order; throws on a key it does not know. */
function idMap(keys: readonly string[], ids: readonly string[]): (key: string) => string {
  const byKey = new Map(keys.map((key, i) => [key, ids[i]]));
  return (key) => {
    const id = byKey.get(key);
    if (id === undefined) throw new Error(`demo data refers to unknown key ${key}`);
    return id;
  };
}

async function insertHousehold(
  client: pg.PoolClient,
  household: DemoHousehold,
  hashes: readonly string[],
): Promise<SeedResult> {
  const { users, accounts, categories, transactions, pastImport } = household;
  const userId = idMap(
    users.map((u) => u.email),
    await allocateIds(client, "users", users.length),
  );
  const accountId = idMap(
    accounts.map((a) => a.key),
    await allocateIds(client, "accounts", accounts.length),
  );
  const categoryId = idMap(
    categories.map((c) => c.key),
    await allocateIds(client, "categories", categories.length),
  );
  const transactionIds = await allocateIds(client, "transactions", transactions.length);
  const transactionId = (index: number): string => {
    const id = transactionIds[index];
    if (id === undefined) throw new Error(`demo data refers to unknown transaction ${index}`);
    return id;
  };
  const [importId] = await allocateIds(client, "imports", 1);
  const imported = new Set(pastImport.transactionIndexes);

  await insertRows(
    client,
    "users (id, email, name, password_hash, role)",
    "id bigint, email text, name text, password_hash text, role text",
    users.map((u, i) => ({
      id: userId(u.email),
      email: u.email,
      name: u.name,
      password_hash: hashes[i],
      role: u.role,
    })),
  );
  await insertRows(
    client,
    "accounts (id, name, type, currency, opening_balance, opening_date, iban)",
    "id bigint, name text, type text, currency text, opening_balance bigint, opening_date date, iban text",
    accounts.map((a) => ({
      id: accountId(a.key),
      name: a.name,
      type: a.type,
      currency: a.currency,
      opening_balance: a.openingBalance.toString(),
      opening_date: a.openingDate,
      iban: a.iban ?? null,
    })),
  );
  await insertRows(
    client,
    `imports (id, account_id, filename, format, encoding, size, row_count, status, preview,
      suggested_mapping, mapping, processed, imported, created_by, created_at, committed_at,
      updated_at)`,
    `id bigint, account_id bigint, filename text, format text, encoding text, size bigint,
      row_count int, status text, preview jsonb, suggested_mapping jsonb, mapping jsonb,
      processed int, imported int, created_by bigint, created_at timestamptz,
      committed_at timestamptz, updated_at timestamptz`,
    [
      {
        id: importId,
        account_id: accountId(pastImport.accountKey),
        filename: pastImport.filename,
        format: "csv",
        encoding: pastImport.encoding,
        size: pastImport.size,
        row_count: pastImport.transactionIndexes.length,
        status: "committed",
        preview: pastImport.preview,
        suggested_mapping: pastImport.mapping,
        mapping: pastImport.mapping,
        processed: pastImport.transactionIndexes.length,
        imported: pastImport.transactionIndexes.length,
        created_by: userId(pastImport.createdBy),
        created_at: pastImport.committedAt,
        committed_at: pastImport.committedAt,
        updated_at: pastImport.committedAt,
      },
    ],
  );
  // Foreign keys are checked at the end of the statement, so parents and children go together.
  await insertRows(
    client,
    "categories (id, name, kind, parent_id)",
    "id bigint, name text, kind text, parent_id bigint",
    categories.map((c) => ({
      id: categoryId(c.key),
      name: c.name,
      kind: c.kind,
      parent_id: c.parentKey === null ? null : categoryId(c.parentKey),
    })),
  );
  await insertRows(
    client,
    `transactions (id, account_id, booking_date, amount, currency, payee, description, notes,
      category_id, tags, status, transfer_group, created_by, import_id)`,
    `id bigint, account_id bigint, booking_date date, amount bigint, currency text, payee text,
      description text, notes text, category_id bigint, tags text[], status text,
      transfer_group uuid, created_by bigint, import_id bigint`,
    transactions.map((t, i) => ({
      id: transactionId(i),
      account_id: accountId(t.accountKey),
      booking_date: t.date,
      amount: t.amount.toString(),
      currency: t.currency,
      payee: t.payee,
      description: t.description,
      notes: t.notes,
      category_id: t.categoryKey === null ? null : categoryId(t.categoryKey),
      tags: t.tags,
      status: t.status,
      transfer_group: t.transferGroup,
      created_by: userId(t.createdBy),
      import_id: imported.has(i) ? importId : null,
    })),
  );
  const splits = transactions.flatMap((t, i) =>
    t.splits.map((s, position) => ({
      transaction_id: transactionId(i),
      position,
      amount: s.amount.toString(),
      category_id: categoryId(s.categoryKey),
      memo: s.memo,
    })),
  );
  await insertRows(
    client,
    "transaction_splits (transaction_id, position, amount, category_id, memo)",
    "transaction_id bigint, position int, amount bigint, category_id bigint, memo text",
    splits,
  );
  await insertRows(
    client,
    "exchange_rates (currency, quote, day, rate)",
    "currency text, quote text, day date, rate numeric",
    household.rates.map((r) => ({ ...r })),
  );
  await insertBudgets(client, household, categoryId);
  await insertBills(client, household, { accountId, categoryId, transactionId });
  await insertRows(
    client,
    "rules (name, position, match, stop_processing, conditions, actions)",
    "name text, position int, match text, stop_processing boolean, conditions jsonb, actions jsonb",
    household.rules.map((r) => ({
      name: r.name,
      position: r.position,
      match: r.match,
      stop_processing: r.stopProcessing,
      conditions: r.conditions.map((c) =>
        c.field === "account" ? { ...c, accountId: accountId(c.accountId) } : c,
      ),
      actions: r.actions.map((a) =>
        a.type === "setCategory" ? { ...a, categoryId: categoryId(a.categoryId) } : a,
      ),
    })),
  );
  return {
    seeded: true,
    users: users.length,
    accounts: accounts.length,
    categories: categories.length,
    transactions: transactions.length,
    splits: splits.length,
    rates: household.rates.length,
    budgets: household.budgets.length,
    bills: household.bills.length,
    rules: household.rules.length,
    imports: 1,
  };
}

async function insertBudgets(
  client: pg.PoolClient,
  household: DemoHousehold,
  categoryId: (key: string) => string,
): Promise<void> {
  await insertRows(
    client,
    "budgets (category_id, month, amount)",
    "category_id bigint, month date, amount bigint",
    household.budgets.map((b) => ({
      category_id: categoryId(b.categoryKey),
      month: b.month,
      amount: b.amount.toString(),
    })),
  );
  await insertRows(
    client,
    "budget_rollovers (category_id)",
    "category_id bigint",
    household.rolloverCategoryKeys.map((key) => ({ category_id: categoryId(key) })),
  );
}

/** The bills as monthly recurring transactions, each past payment linked as its occurrence. */
async function insertBills(
  client: pg.PoolClient,
  household: DemoHousehold,
  ids: {
    accountId: (key: string) => string;
    categoryId: (key: string) => string;
    transactionId: (index: number) => string;
  },
): Promise<void> {
  const { bills } = household;
  const recurringIds = await allocateIds(client, "recurring", bills.length);
  await insertRows(
    client,
    `recurring (id, name, account_id, amount, payee, description, category_id, unit, every,
      day_of_month, start_date)`,
    `id bigint, name text, account_id bigint, amount bigint, payee text, description text,
      category_id bigint, unit text, every int, day_of_month int, start_date date`,
    bills.map((b, i) => ({
      id: recurringIds[i],
      name: b.name,
      account_id: ids.accountId(b.accountKey),
      amount: b.amount.toString(),
      payee: b.payee,
      description: b.description,
      category_id: ids.categoryId(b.categoryKey),
      unit: "month",
      every: 1,
      day_of_month: b.dayOfMonth,
      start_date: b.startDate,
    })),
  );
  // Matched, not created: the payments were booked as they happened.
  await insertRows(
    client,
    "recurring_occurrences (recurring_id, due_date, status, transaction_id, created)",
    "recurring_id bigint, due_date date, status text, transaction_id bigint, created boolean",
    bills.flatMap((b, i) =>
      b.posted.map((p) => ({
        recurring_id: recurringIds[i],
        due_date: p.dueDate,
        status: "posted",
        transaction_id: ids.transactionId(p.transactionIndex),
        created: false,
      })),
    ),
  );
}

/**
 * Inserts `rows` in one statement: they travel as one JSON parameter, which jsonb_to_recordset
 * turns back into typed columns (bigints as strings, tags as arrays). The identity ids were
 * allocated from the table's own sequence, hence `overriding system value`.
 */
async function insertRows(
  client: pg.PoolClient,
  target: string,
  columns: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = target.slice(target.indexOf("(") + 1, target.lastIndexOf(")"));
  await client.query(
    `insert into ${target} overriding system value
     select ${names} from jsonb_to_recordset($1::jsonb) as r(${columns})`,
    [JSON.stringify(rows)],
  );
}
