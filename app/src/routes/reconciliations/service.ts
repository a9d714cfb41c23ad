import type pg from "pg";
import { errors, type FieldProblem } from "../../errors.ts";
import { isUniqueViolation } from "../../db/transaction.ts";
import { amountAt, formatMinor } from "../../http/amounts.ts";
import { withAuditAction, withAuditedTransaction } from "../../write-model/audit-context.ts";
import type {
  CreateReconciliation,
  FinishReconciliation,
  ReconciliationJson,
  UpdateReconciliation,
} from "./schema.ts";

type Queryable = pg.Pool | pg.PoolClient;

interface ReconciliationRow {
  id: string;
  account_id: string;
  statement_date: string;
  statement_balance: string;
  status: "open" | "finished";
  currency: string;
  ticked: string[];
  previous: string;
  ticked_total: string;
  created_at: Date;
  finished_at: Date | null;
  adjustment_transaction_id: string | null;
}

const select = `select r.id::text, r.account_id::text,
    to_char(r.statement_date, 'YYYY-MM-DD') as statement_date,
    r.statement_balance::text, r.status, a.currency,
    array(select i.transaction_id::text from reconciliation_items i
      where i.reconciliation_id = r.id order by i.transaction_id) as ticked,
    (a.opening_balance + coalesce((select sum(t.amount) from transactions t
      where t.account_id = r.account_id and t.status = 'reconciled'
        and t.id not in (select i.transaction_id from reconciliation_items i
          where i.reconciliation_id = r.id)), 0))::text as previous,
    coalesce((select sum(t.amount) from transactions t join reconciliation_items i
      on i.transaction_id = t.id where i.reconciliation_id = r.id), 0)::text as ticked_total,
    r.created_at, r.finished_at, r.adjustment_transaction_id::text
  from reconciliations r join accounts a on a.id = r.account_id`;

function present(row: ReconciliationRow): ReconciliationJson {
  const cleared = BigInt(row.previous) + BigInt(row.ticked_total);
  const money = (minor: bigint | string) => formatMinor(minor, row.currency);
  return {
    id: row.id,
    accountId: row.account_id,
    statementDate: row.statement_date,
    statementBalance: money(row.statement_balance),
    status: row.status,
    tickedTransactionIds: row.ticked,
    previousBalance: money(row.previous),
    tickedTotal: money(row.ticked_total),
    clearedBalance: money(cleared),
    difference: money(BigInt(row.statement_balance) - cleared),
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    adjustmentTransactionId: row.adjustment_transaction_id,
  };
}

async function accountCurrency(db: Queryable, accountId: string, lock = false): Promise<string> {
  const { rows } = await db.query<{ currency: string }>(
    `select currency from accounts where id = $1 ${lock ? "for no key update" : ""}`,
    [accountId],
  );
  const row = rows[0];
  if (row === undefined) throw errors.notFound("the account");
  return row.currency;
}

/** The reconciliations of an account, newest first. */
export async function listReconciliations(
  db: pg.Pool,
  accountId: string,
): Promise<ReconciliationJson[]> {
  await accountCurrency(db, accountId);
  const { rows } = await db.query<ReconciliationRow>(
    `${select} where r.account_id = $1 order by r.id desc`,
    [accountId],
  );
  return rows.map(present);
}

/** One reconciliation of an account; 404 when the account has none with `id`. */
export async function getReconciliation(
  db: Queryable,
  accountId: string,
  id: string,
): Promise<ReconciliationJson> {
  const { rows } = await db.query<ReconciliationRow>(
    `${select} where r.account_id = $1 and r.id = $2`,
    [accountId, id],
  );
  const row = rows[0];
  if (row === undefined) throw errors.notFound("the reconciliation");
  return present(row);
}

function balanceMinor(text: string, currency: string): string {
  const problems: FieldProblem[] = [];
  const amount = amountAt(text, currency, "body.statementBalance", problems);
  if (amount === undefined) throw errors.validation(problems);
  return amount.minor.toString();
}

/** Starts reconciling an account against a statement; 409 while another one is open. */
export async function createReconciliation(
  db: pg.Pool,
  accountId: string,
  input: CreateReconciliation,
  actor: string,
): Promise<ReconciliationJson> {
  try {
    return await withAuditedTransaction(db, { actor }, async (client) => {
      const currency = await accountCurrency(client, accountId, true);
      const { rows } = await client.query<{ id: string }>(
        `insert into reconciliations (account_id, statement_date, statement_balance, created_by)
         values ($1, $2::date, $3, $4) returning id::text`,
        [accountId, input.statementDate, balanceMinor(input.statementBalance, currency), actor],
      );
      return getReconciliation(client, accountId, rows[0]?.id ?? "");
    });
  } catch (error) {
    if (isUniqueViolation(error, "reconciliations_open_key")) {
      throw errors.conflict("the account already has an open reconciliation: finish or cancel it");
    }
    throw error;
  }
}

interface OpenRow {
  statement_date: string;
  statement_balance: string;
  status: string;
}

/** The reconciliation locked for a change; 404 if missing, 409 if already finished. */
async function lockOpen(client: pg.PoolClient, accountId: string, id: string): Promise<OpenRow> {
  const { rows } = await client.query<OpenRow>(
    `select to_char(statement_date, 'YYYY-MM-DD') as statement_date,
       statement_balance::text, status
     from reconciliations where account_id = $1 and id = $2 for update`,
    [accountId, id],
  );
  const row = rows[0];
  if (row === undefined) throw errors.notFound("the reconciliation");
  if (row.status !== "open") throw errors.conflict("the reconciliation is finished");
  return row;
}

interface Candidate {
  id: string;
  account_id: string;
  date: string;
  status: string;
}

/** Why each transaction cannot be ticked, as problems at `path[index]`. */
function tickProblems(
  ids: readonly string[],
  found: ReadonlyMap<string, Candidate>,
  accountId: string,
  statementDate: string,
  path: string,
): FieldProblem[] {
  return ids.flatMap((id, index): FieldProblem[] => {
    const row = found.get(id);
    const at = `${path}[${index}]`;
    const foreign = [{ path: at, message: "is not a transaction of this account" }];
    if (row === undefined) return foreign;
    if (row.account_id !== accountId) return foreign;
    if (row.status === "reconciled") return [{ path: at, message: "is already reconciled" }];
    if (row.date > statementDate) {
      return [{ path: at, message: `is booked after the statement date ${statementDate}` }];
    }
    return [];
  });
}

async function candidates(
  client: pg.PoolClient,
  ids: readonly string[],
): Promise<Map<string, Candidate>> {
  const { rows } = await client.query<Candidate>(
    `select id::text, account_id::text, to_char(booking_date, 'YYYY-MM-DD') as date, status
     from transactions where id = any($1::bigint[])`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** Restates the statement and ticks or unticks transactions of an open reconciliation. */
export async function updateReconciliation(
  db: pg.Pool,
  accountId: string,
  id: string,
  patch: UpdateReconciliation,
  actor: string,
): Promise<ReconciliationJson> {
  return withAuditedTransaction(db, { actor }, async (client) => {
    const currency = await accountCurrency(client, accountId);
    const current = await lockOpen(client, accountId, id);
    const statementDate = patch.statementDate ?? current.statement_date;
    const balance =
      patch.statementBalance === undefined
        ? current.statement_balance
        : balanceMinor(patch.statementBalance, currency);
    const found = await candidates(client, patch.tick);
    const problems = tickProblems(patch.tick, found, accountId, statementDate, "body.tick");
    if (problems.length > 0) throw errors.validation(problems);
    await client.query(
      `update reconciliations set statement_date = $2::date, statement_balance = $3 where id = $1`,
      [id, statementDate, balance],
    );
    await client.query(
      `delete from reconciliation_items where reconciliation_id = $1
         and transaction_id = any($2::bigint[])`,
      [id, patch.untick],
    );
    await client.query(
      `insert into reconciliation_items (reconciliation_id, transaction_id)
       select $1, unnest($2::bigint[]) on conflict do nothing`,
      [id, patch.tick],
    );
    return getReconciliation(client, accountId, id);
  });
}

/**
 * Finishes a reconciliation: the ticked transactions become reconciled (and locked), audited
 * as "reconcile". 409 unless every ticked transaction still belongs to the account on or before
 * the statement date, and the difference is zero or `adjust` books it as a balancing
 * transaction on the statement date, reconciled with the rest.
 */
export async function finishReconciliation(
  db: pg.Pool,
  accountId: string,
  id: string,
  actor: string,
  options: FinishReconciliation = { adjust: false },
): Promise<ReconciliationJson> {
  return withAuditedTransaction(db, { actor }, async (client) => {
    await accountCurrency(client, accountId, true);
    const current = await lockOpen(client, accountId, id);
    const { rows: items } = await client.query<{ id: string }>(
      `select t.id::text from transactions t join reconciliation_items i on i.transaction_id = t.id
       where i.reconciliation_id = $1 order by t.id for update of t`,
      [id],
    );
    const ids = items.map((row) => row.id);
    const found = await candidates(client, ids);
    const stale = tickProblems(ids, found, accountId, current.statement_date, "transaction");
    if (stale.length > 0) {
      const list = stale.map((p) => {
        const index = Number(/\[(\d+)\]$/.exec(p.path)?.[1] ?? -1);
        return `transaction ${ids[index] ?? "?"} ${p.message}`;
      });
      throw errors.conflict(
        `ticked transactions changed since they were ticked: ${list.join("; ")}`,
      );
    }
    const state = await getReconciliation(client, accountId, id);
    const difference = await differenceMinor(client, id);
    if (difference !== 0n && !options.adjust) {
      throw errors.conflict(
        `the cleared balance ${state.clearedBalance} differs from the statement balance ${state.statementBalance} by ${state.difference}`,
      );
    }
    await withAuditAction(client, "reconcile", async () => {
      if (difference !== 0n) {
        const { rows } = await client.query<{ id: string }>(
          `insert into transactions (account_id, booking_date, amount, currency, payee,
             description, created_by)
           select r.account_id, r.statement_date, $2, a.currency, 'Reconciliation adjustment',
             'Balances the account with the statement of ' || to_char(r.statement_date, 'YYYY-MM-DD'),
             $3
           from reconciliations r join accounts a on a.id = r.account_id where r.id = $1
           returning id::text`,
          [id, difference.toString(), actor],
        );
        const adjustment = rows[0]?.id ?? "";
        ids.push(adjustment);
        await client.query(
          `insert into reconciliation_items (reconciliation_id, transaction_id) values ($1, $2)`,
          [id, adjustment],
        );
        await client.query(
          "update reconciliations set adjustment_transaction_id = $2 where id = $1",
          [id, adjustment],
        );
      }
      await client.query(
        `update transactions set status = 'reconciled', updated_at = now()
         where id = any($1::bigint[])`,
        [ids],
      );
      await client.query(
        `update reconciliations set status = 'finished', finished_at = now() where id = $1`,
        [id],
      );
    });
    return getReconciliation(client, accountId, id);
  });
}

/** The statement balance minus the cleared balance, in minor units. */
async function differenceMinor(client: pg.PoolClient, id: string): Promise<bigint> {
  const { rows } = await client.query<{ previous: string; ticked_total: string; balance: string }>(
    `select previous, ticked_total, statement_balance::text as balance
     from (${select} where r.id = $1) r`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) throw errors.notFound("the reconciliation");
  return BigInt(row.balance) - BigInt(row.previous) - BigInt(row.ticked_total);
}

/** Cancels an open reconciliation; nothing it ticked changes. 409 once finished. */
export async function cancelReconciliation(
  db: pg.Pool,
  accountId: string,
  id: string,
  actor: string,
): Promise<void> {
  await withAuditedTransaction(db, { actor }, async (client) => {
    await lockOpen(client, accountId, id);
    await client.query("delete from reconciliations where id = $1", [id]);
  });
}

/**
 * Unlocks a reconciled transaction (and the other side of a transfer) for editing: its status
 * returns to "cleared", audited as "unlock". 404 when there is no such transaction.
 */
export async function unlockTransaction(db: pg.Pool, id: string, actor: string): Promise<void> {
  await withAuditedTransaction(db, { actor, action: "unlock" }, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `select id::text from transactions
       where id = $1 or transfer_group = (select transfer_group from transactions where id = $1)
       order by transactions.id for update`,
      [id],
    );
    if (rows.length === 0) throw errors.notFound("the transaction");
    await client.query(
      `update transactions set status = 'cleared', updated_at = now()
       where id = any($1::bigint[]) and status = 'reconciled'`,
      [rows.map((row) => row.id)],
    );
  });
}
