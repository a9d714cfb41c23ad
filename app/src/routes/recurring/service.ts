import type pg from "pg";
import { addDays, occurrencesBetween } from "../../domain/schedules.ts";
import { errors, type FieldProblem } from "../../errors.ts";
import { withTransaction } from "../../db/transaction.ts";
import { amountAt, formatMinor } from "../../http/amounts.ts";
import {
  handledOccurrences,
  type RecurringRow,
  recurringSelect,
  scheduleOf,
} from "../../write-model/recurring-occurrences.ts";
import type { CreateRecurring, RecurringJson, UpdateRecurring } from "./schema.ts";

function present(row: RecurringRow): RecurringJson {
  return {
    id: row.id,
    name: row.name,
    accountId: row.account_id,
    amount: formatMinor(row.amount, row.currency),
    currency: row.currency,
    payee: row.payee,
    description: row.description,
    categoryId: row.category_id,
    tags: row.tags,
    unit: row.unit,
    every: row.every,
    dayOfMonth: row.day_of_month,
    startDate: row.start_date,
    endDate: row.end_date,
    occurrences: row.occurrences,
    autoPost: row.auto_post,
    matchDays: row.match_days,
  };
}

/** Every recurring transaction. */
export async function listRecurring(db: pg.Pool): Promise<RecurringJson[]> {
  return (await db.query<RecurringRow>(`${recurringSelect} order by r.name, r.id`)).rows.map(
    present,
  );
}

/** One recurring transaction; 404 when it does not exist. */
export async function getRecurring(
  db: pg.Pool | pg.PoolClient,
  id: string,
): Promise<RecurringJson> {
  const row = (await db.query<RecurringRow>(`${recurringSelect} where r.id = $1`, [id])).rows[0];
  if (row === undefined) throw errors.notFound("the recurring transaction");
  return present(row);
}

/** Checks a full definition against the database; the amount in minor units of the account. */
async function check(client: pg.PoolClient, input: CreateRecurring): Promise<bigint> {
  const problems: FieldProblem[] = [];
  const account = (
    await client.query<{ currency: string }>("select currency from accounts where id = $1", [
      input.accountId,
    ])
  ).rows[0];
  if (account === undefined)
    problems.push({ path: "body.accountId", message: "is not an account" });
  const amount =
    account === undefined
      ? undefined
      : amountAt(input.amount, account.currency, "body.amount", problems);
  if (input.categoryId !== null) {
    const found = await client.query("select 1 from categories where id = $1", [input.categoryId]);
    if (found.rowCount === 0)
      problems.push({ path: "body.categoryId", message: "is not a category" });
  }
  if (input.endDate !== null && input.endDate < input.startDate) {
    problems.push({ path: "body.endDate", message: "is before startDate" });
  }
  if (input.dayOfMonth !== null && input.unit !== "month") {
    problems.push({ path: "body.dayOfMonth", message: "applies to monthly schedules only" });
  }
  if (problems.length > 0 || amount === undefined) throw errors.validation(problems);
  return amount.minor;
}

const write = (input: CreateRecurring, amount: bigint) => [
  input.name,
  input.accountId,
  amount.toString(),
  input.payee,
  input.description,
  input.categoryId,
  input.tags,
  input.unit,
  input.every,
  input.dayOfMonth,
  input.startDate,
  input.endDate,
  input.occurrences,
  input.autoPost,
  input.matchDays,
];

/** Creates a recurring transaction; 422 names unknown accounts and categories, bad amounts. */
export async function createRecurring(db: pg.Pool, input: CreateRecurring): Promise<RecurringJson> {
  return withTransaction(db, async (client) => {
    const amount = await check(client, input);
    const { rows } = await client.query<{ id: string }>(
      `insert into recurring (name, account_id, amount, payee, description, category_id, tags, unit,
         every, day_of_month, start_date, end_date, occurrences, auto_post, match_days)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       returning id::text`,
      write(input, amount),
    );
    return getRecurring(client, rows[0]?.id ?? "");
  });
}

/** Changes the named fields of a recurring transaction. */
export async function updateRecurring(
  db: pg.Pool,
  id: string,
  patch: UpdateRecurring,
): Promise<RecurringJson> {
  return withTransaction(db, async (client) => {
    const row = (
      await client.query<RecurringRow>(`${recurringSelect} where r.id = $1 for update of r`, [id])
    ).rows[0];
    if (row === undefined) throw errors.notFound("the recurring transaction");
    const current = present(row);
    const merged: CreateRecurring = {
      ...current,
      ...patch,
    };
    const amount = await check(client, merged);
    await client.query(
      `update recurring set name = $1, account_id = $2, amount = $3, payee = $4, description = $5,
         category_id = $6, tags = $7, unit = $8, every = $9, day_of_month = $10, start_date = $11,
         end_date = $12, occurrences = $13, auto_post = $14, match_days = $15, updated_at = now()
       where id = $16`,
      [...write(merged, amount), id],
    );
    return getRecurring(client, id);
  });
}

/** Deletes a recurring transaction (what it posted stays in the ledger). */
export async function deleteRecurring(db: pg.Pool, id: string): Promise<void> {
  const { rowCount } = await db.query("delete from recurring where id = $1", [id]);
  if (rowCount === 0) throw errors.notFound("the recurring transaction");
}

// Occurrences awaiting confirmation stay listed this long after their date.
const OVERDUE_DAYS = 31;

/**
 * Occurrences from `today` to `days` ahead, and those of the last month not yet posted or
 * skipped (due), in date order.
 */
export async function upcoming(db: pg.Pool, days: number, today: string) {
  const from = addDays(today, -OVERDUE_DAYS);
  const to = addDays(today, days);
  const [rows, done] = await Promise.all([
    db.query<RecurringRow>(`${recurringSelect} order by r.id`),
    handledOccurrences(db, from),
  ]);
  // A closed account's bills end with it: nothing after its closing day is upcoming or due.
  const untilClosed = (row: RecurringRow) =>
    row.account_closed_on !== null && row.account_closed_on < to ? row.account_closed_on : to;
  const list = rows.rows.flatMap((row) =>
    occurrencesBetween(scheduleOf(row), from, untilClosed(row))
      .filter((date) => !done.has(`${row.id} ${date}`))
      .map((date) => ({
        recurringId: row.id,
        name: row.name,
        date,
        accountId: row.account_id,
        amount: formatMinor(row.amount, row.currency),
        currency: row.currency,
        payee: row.payee,
        autoPost: row.auto_post,
        due: date <= today,
      })),
  );
  return {
    data: list.sort(
      (a, b) => a.date.localeCompare(b.date) || a.recurringId.localeCompare(b.recurringId),
    ),
  };
}
