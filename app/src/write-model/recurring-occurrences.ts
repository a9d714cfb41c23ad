import type pg from "pg";
import { isPlainDate } from "../domain/dates.ts";
import { occurrencesBetween, type Schedule } from "../domain/schedules.ts";
import { AppError, errors, type FieldProblem } from "../errors.ts";
import { amountAt } from "../http/amounts.ts";
import { parseId } from "../http/ids.ts";
import { withAuditAction, withAuditedTransaction } from "./audit-context.ts";
import { applyRulesToTransactions } from "./rules-on-write.ts";

// Occurrences of recurring transactions are booked from three places (the confirm route, the
// background job, and as the real booking arrives by hand or import), so posting and absorbing
// them lives here.

/** One occurrence posted: booked, or matched to a transaction already in the ledger. */
export interface PostedOccurrence {
  recurringId: string;
  dueDate: string;
  transactionId: string;
  /** True when an existing transaction was matched instead of booking a new one. */
  matched: boolean;
}

/** A recurring transaction as stored, with its account's currency. */
export interface RecurringRow {
  id: string;
  name: string;
  account_id: string;
  amount: string;
  currency: string;
  payee: string;
  description: string;
  category_id: string | null;
  tags: string[];
  unit: Schedule["unit"];
  every: number;
  day_of_month: number | null;
  start_date: string;
  end_date: string | null;
  occurrences: number | null;
  auto_post: boolean;
  match_days: number;
  created_on: string;
  /** The day the account closed, if it did: the schedule books nothing after it. */
  account_closed_on: string | null;
}

/** Selects RecurringRows (`r`: recurring, `a`: its account). */
export const recurringSelect = `
select r.id::text, r.name, r.account_id::text, r.amount::text, a.currency, r.payee, r.description,
  r.category_id::text, r.tags, r.unit, r.every, r.day_of_month,
  to_char(r.start_date, 'YYYY-MM-DD') as start_date, to_char(r.end_date, 'YYYY-MM-DD') as end_date,
  r.occurrences, r.auto_post, r.match_days, to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD') as created_on,
  to_char(a.closed_on, 'YYYY-MM-DD') as account_closed_on
from recurring r join accounts a on a.id = r.account_id`;

/** The schedule of a recurring transaction. */
export function scheduleOf(row: RecurringRow): Schedule {
  return {
    unit: row.unit,
    every: row.every,
    dayOfMonth: row.day_of_month,
    startDate: row.start_date,
    endDate: row.end_date,
    occurrences: row.occurrences,
  };
}

/** The occurrences posted or skipped on or after `from`, as "<recurring id> <date>" keys. */
export async function handledOccurrences(
  db: pg.Pool | pg.PoolClient,
  from: string,
): Promise<Set<string>> {
  const { rows } = await db.query<{ key: string }>(
    `select recurring_id::text || ' ' || to_char(due_date, 'YYYY-MM-DD') as key
     from recurring_occurrences where due_date >= $1`,
    [from],
  );
  return new Set(rows.map((r) => r.key));
}

/** A transaction already in the ledger that is this occurrence (same account and amount, close). */
async function findMatch(
  client: pg.PoolClient,
  row: RecurringRow,
  amount: bigint,
  due: string,
): Promise<string | undefined> {
  const { rows } = await client.query<{ id: string }>(
    `select t.id::text from transactions t
     where t.account_id = $1 and t.amount = $2 and t.transfer_group is null
       and t.booking_date between $3::date - $4::int and $3::date + $4::int
       and not exists (select 1 from recurring_occurrences o where o.transaction_id = t.id)
     order by abs(t.booking_date - $3::date), t.id limit 1 for update`,
    [row.account_id, amount.toString(), due, row.match_days],
  );
  return rows[0]?.id;
}

/** 422 naming the date when the occurrence would be booked after its account closed. */
function refuseAfterClose(row: RecurringRow, dueDate: string, date: string | undefined): void {
  const closed = row.account_closed_on;
  if (closed === null || (date ?? dueDate) <= closed) return;
  throw errors.validation([
    {
      path: date === undefined ? "params.date" : "body.date",
      message: `is after ${closed}, the day the account closed`,
    },
  ]);
}

/**
 * Posts the occurrence of `id` due on `dueDate`: a transaction already booked that matches it
 * (same account and amount, within matchDays) is linked instead of booking a duplicate; otherwise
 * a transaction is booked. 404 when the date is not an occurrence, 409 when already posted or
 * skipped.
 */
export async function postOccurrence(
  db: pg.Pool,
  id: string,
  dueDate: string,
  override: { amount?: string | undefined; date?: string | undefined },
  userId: string | null,
): Promise<PostedOccurrence> {
  // Who confirmed it (nobody when posted automatically); the booking is audited as "recurring".
  return withAuditedTransaction(db, { actor: userId }, async (client) => {
    const row = (
      await client.query<RecurringRow>(`${recurringSelect} where r.id = $1 for update of r`, [id])
    ).rows[0];
    if (row === undefined) throw errors.notFound("the recurring transaction");
    if (
      !isPlainDate(dueDate) ||
      !occurrencesBetween(scheduleOf(row), dueDate, dueDate).includes(dueDate)
    ) {
      throw errors.notFound("the occurrence");
    }
    const problems: FieldProblem[] = [];
    const amount =
      override.amount === undefined
        ? BigInt(row.amount)
        : amountAt(override.amount, row.currency, "body.amount", problems)?.minor;
    if (amount === undefined) throw errors.validation(problems);
    refuseAfterClose(row, dueDate, override.date);
    const seen = await client.query(
      "select 1 from recurring_occurrences where recurring_id = $1 and due_date = $2",
      [id, dueDate],
    );
    if (seen.rowCount !== 0) throw errors.conflict("the occurrence is already posted or skipped");
    const matched = await findMatch(client, row, amount, override.date ?? dueDate);
    const transactionId =
      matched ??
      (
        await withAuditAction(client, "recurring", () =>
          client.query<{ id: string }>(
            `insert into transactions (account_id, booking_date, amount, currency, payee, description,
             category_id, tags, created_by)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id::text`,
            [
              row.account_id,
              override.date ?? dueDate,
              amount.toString(),
              row.currency,
              row.payee,
              row.description,
              row.category_id,
              row.tags,
              userId === null ? null : (parseId(userId) ?? null),
            ],
          ),
        )
      ).rows[0]?.id ??
      "";
    // The rules see a booked bill as they see any new transaction; a matched one had its turn.
    if (matched === undefined) await applyRulesToTransactions(client, [transactionId]);
    await client.query(
      `insert into recurring_occurrences (recurring_id, due_date, status, transaction_id, created)
       values ($1, $2, 'posted', $3, $4)`,
      [id, dueDate, transactionId, matched === undefined],
    );
    return { recurringId: id, dueDate, transactionId, matched: matched !== undefined };
  });
}

/** Skips an occurrence: it is no longer due and is never posted. */
export async function skipOccurrence(db: pg.Pool, id: string, dueDate: string): Promise<void> {
  const row = (await db.query<RecurringRow>(`${recurringSelect} where r.id = $1`, [id])).rows[0];
  if (row === undefined) throw errors.notFound("the recurring transaction");
  if (
    !isPlainDate(dueDate) ||
    !occurrencesBetween(scheduleOf(row), dueDate, dueDate).includes(dueDate)
  ) {
    throw errors.notFound("the occurrence");
  }
  const { rowCount } = await db.query(
    `insert into recurring_occurrences (recurring_id, due_date, status) values ($1, $2, 'skipped')
     on conflict do nothing`,
    [id, dueDate],
  );
  if (rowCount === 0) throw errors.conflict("the occurrence is already posted or skipped");
}

/**
 * Posts every due occurrence (on or before `today`) of the schedules that post automatically,
 * from the later of their start and their creation (a schedule entered late does not book its
 * past). Safe to run from several replicas at once: each occurrence is posted once.
 */
export async function postDueOccurrences(db: pg.Pool, today: string): Promise<PostedOccurrence[]> {
  const { rows } = await db.query<RecurringRow>(
    `${recurringSelect} where r.auto_post order by r.id`,
  );
  const posted: PostedOccurrence[] = [];
  for (const row of rows) {
    const from = row.created_on > row.start_date ? row.created_on : row.start_date;
    const closed = row.account_closed_on;
    const until = closed !== null && closed < today ? closed : today;
    const done = await handledOccurrences(db, from);
    for (const date of occurrencesBetween(scheduleOf(row), from, until)) {
      if (done.has(`${row.id} ${date}`)) continue;
      try {
        posted.push(await postOccurrence(db, row.id, date, {}, null));
      } catch (error) {
        // Another replica posted it meanwhile.
        if (!(error instanceof AppError && error.code === "conflict")) throw error;
      }
    }
  }
  return posted;
}

/**
 * The hook for imports and new transactions: when one of `transactionIds` is the real booking of
 * an occurrence fintrack posted itself (same account and amount, within the schedule's
 * matchDays), the occurrence takes it and the posted duplicate is deleted. Returns the ids of the
 * duplicates deleted.
 */
export async function absorbDuplicates(
  db: pg.Pool,
  transactionIds: readonly string[],
  actor?: string | null,
): Promise<string[]> {
  if (transactionIds.length === 0) return [];
  return withAuditedTransaction(db, { actor }, async (client) => {
    const { rows } = await client.query<{
      duplicate: string;
      real: string;
      recurring_id: string;
      due: string;
    }>(
      `select o.transaction_id::text as duplicate,
         t.id::text as real, o.recurring_id::text, o.due_date::text as due
       from transactions t
       join recurring_occurrences o on o.created and o.transaction_id <> t.id
       join recurring r on r.id = o.recurring_id
       join transactions posted on posted.id = o.transaction_id
       where t.id = any($1::bigint[]) and t.transfer_group is null
         and posted.account_id = t.account_id and posted.amount = t.amount
         -- A posted bill already reconciled is locked: it stays, and so does the new booking.
         and posted.status <> 'reconciled'
         and t.booking_date between o.due_date - r.match_days and o.due_date + r.match_days
         and not exists (select 1 from recurring_occurrences x where x.transaction_id = t.id)
       order by o.transaction_id, abs(t.booking_date - o.due_date), t.id
       for update of o`,
      [transactionIds],
    );
    // Rows come closest first per duplicate; each duplicate and each real booking is used once.
    const used = new Set<string>();
    const deleted: string[] = [];
    for (const row of rows) {
      if (used.has(row.real) || used.has(row.duplicate)) continue;
      used.add(row.real);
      used.add(row.duplicate);
      await client.query(
        `update recurring_occurrences set transaction_id = $1, created = false
         where recurring_id = $2 and due_date = $3`,
        [row.real, row.recurring_id, row.due],
      );
      await withAuditAction(client, "recurring", () =>
        client.query("delete from transactions where id = $1", [row.duplicate]),
      );
      deleted.push(row.duplicate);
    }
    return deleted;
  });
}
