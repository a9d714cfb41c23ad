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
 * other (category parents, transaction splits) before they are inserted.
 */
export async function seedDemo(pool: pg.Pool, today: string, seed = 42): Promise<SeedResult> {
  const none: SeedResult = {
    seeded: false,
    users: 0,
    accounts: 0,
    categories: 0,
    transactions: 0,
    splits: 0,
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
  const { users, accounts, categories, transactions } = household;
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
    "accounts (id, name, type, currency, opening_balance, opening_date)",
    "id bigint, name text, type text, currency text, opening_balance bigint, opening_date date",
    accounts.map((a) => ({
      id: accountId(a.key),
      name: a.name,
      type: a.type,
      currency: a.currency,
      opening_balance: a.openingBalance.toString(),
      opening_date: a.openingDate,
    })),
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
      category_id, tags, status, transfer_group, created_by)`,
    `id bigint, account_id bigint, booking_date date, amount bigint, currency text, payee text,
      description text, notes text, category_id bigint, tags text[], status text,
      transfer_group uuid, created_by bigint`,
    transactions.map((t, i) => ({
      id: transactionIds[i],
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
    })),
  );
  const splits = transactions.flatMap((t, i) =>
    t.splits.map((s, position) => ({
      transaction_id: transactionIds[i],
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
  return {
    seeded: true,
    users: users.length,
    accounts: accounts.length,
    categories: categories.length,
    transactions: transactions.length,
    splits: splits.length,
  };
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
