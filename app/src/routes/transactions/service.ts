import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Counter } from "prom-client";
import { money, type Money } from "../../domain/money.ts";
import { type Split, validateSplits } from "../../domain/splits.ts";
import { planTransfer, repriceTransfer, type TransferProblem } from "../../domain/transfers.ts";
import { errors, type FieldProblem } from "../../errors.ts";
import { isForeignKeyViolation } from "../../db/transaction.ts";
import { parseId } from "../../http/ids.ts";
import { amountAt } from "../../http/amounts.ts";
import { withAuditedTransaction } from "../../write-model/audit-context.ts";
import { checkIfMatch, type IfMatch } from "../../http/preconditions.ts";
import { absorbDuplicates } from "../../write-model/recurring-occurrences.ts";
import { applyRulesToTransactions } from "../../write-model/rules-on-write.ts";
import { MAX_TAGS } from "../../domain/tags.ts";
import { getTransaction, getTransactions, matchingIdsQuery, resolveFilter } from "./read.ts";
import {
  type BulkAction,
  type BulkResultJson,
  type CreateTransaction,
  type SplitInput,
  type TransactionFilters,
  type TransactionJson,
  type UpdateTransaction,
} from "./schema.ts";

/** What the write paths need besides the database. */
export interface TransactionWriter {
  db: pg.Pool;
  /** fintrack_transactions_created_total: one per transaction row, so two per transfer. */
  created: Counter;
}

interface LockedAccount {
  id: string;
  currency: string;
  /** The day the account closed, if it did: nothing may be dated after it. */
  closed_on: string | null;
}

/**
 * Locks the accounts a write touches, in id order so two writes never wait on each other in a
 * circle. The mode is the one the balance triggers take anyway; it also keeps an account's
 * currency from changing under a write (the account update takes it too).
 */
async function lockAccounts(
  client: pg.PoolClient,
  ids: readonly (string | undefined)[],
): Promise<Map<string, LockedAccount>> {
  const wanted = [...new Set(ids.filter((id) => id !== undefined))];
  const { rows } = await client.query<LockedAccount>(
    `select id::text, currency, to_char(closed_on, 'YYYY-MM-DD') as closed_on
     from accounts where id = any($1::bigint[])
     order by accounts.id for no key update`,
    [wanted],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** A `body.date` problem when `date` is after the day one of `ids`'s accounts closed. */
function closedProblems(
  accounts: ReadonlyMap<string, LockedAccount>,
  ids: readonly (string | undefined)[],
  date: string,
): FieldProblem[] {
  for (const id of ids) {
    const closed = id === undefined ? null : (accounts.get(id)?.closed_on ?? null);
    if (closed !== null && date > closed) {
      return [{ path: "body.date", message: `is after ${closed}, the day the account closed` }];
    }
  }
  return [];
}

/** The ids in `ids` that are not categories. */
async function missingCategories(
  client: pg.PoolClient,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await client.query<{ id: string }>(
    "select id::text from categories where id = any($1::bigint[])",
    [ids],
  );
  const found = new Set(rows.map((row) => row.id));
  return new Set(ids.filter((id) => !found.has(id)));
}

function fromTransfer(problems: readonly TransferProblem[]): FieldProblem[] {
  return problems.map((p) => ({ path: `body.${p.path}`, message: p.message }));
}

/** Parses split lines in `currency`, noting bad amounts; undefined when any failed. */
function parseSplits(
  lines: readonly SplitInput[],
  currency: string,
  problems: FieldProblem[],
): Split[] | undefined {
  const splits: Split[] = [];
  for (const [index, line] of lines.entries()) {
    const amount = amountAt(line.amount, currency, `body.splits[${index}].amount`, problems);
    if (amount !== undefined) {
      splits.push({ amount, categoryId: line.categoryId ?? null, memo: line.memo });
    }
  }
  return splits.length === lines.length ? splits : undefined;
}

/** Checks split lines against the total and the category table; notes what is wrong. */
async function checkCategories(
  client: pg.PoolClient,
  categoryId: string | null | undefined,
  lines: readonly SplitInput[],
  problems: FieldProblem[],
): Promise<void> {
  const ids = [categoryId, ...lines.map((line) => line.categoryId)].filter(
    (id): id is string => typeof id === "string",
  );
  const missing = await missingCategories(client, ids);
  if (categoryId && missing.has(categoryId)) {
    problems.push({ path: "body.categoryId", message: "is not a category" });
  }
  lines.forEach((line, index) => {
    if (line.categoryId && missing.has(line.categoryId)) {
      problems.push({ path: `body.splits[${index}].categoryId`, message: "is not a category" });
    }
  });
}

function splitProblems(total: Money, splits: readonly Split[]): FieldProblem[] {
  return validateSplits(total, splits).map((p) => ({ path: `body.${p.path}`, message: p.message }));
}

function currencyProblem(given: string | undefined, currency: string): FieldProblem[] {
  if (given === undefined || given === currency) return [];
  return [{ path: "body.currency", message: `is ${given} but the account is in ${currency}` }];
}

const noCategoryOnTransfer = {
  path: "body.categoryId",
  message: "must be null: a transfer moves money between accounts and has no category",
};
const noSplitsOnTransfer = { path: "body.splits", message: "a transfer cannot be split" };

interface NewRow {
  accountId: string;
  amount: Money;
}

/** The checked rows of a new transaction (two for a transfer) and its split lines. */
interface Creation {
  rows: NewRow[];
  categoryId: string | null;
  splits: Split[];
}

async function insertRows(
  client: pg.PoolClient,
  input: CreateTransaction,
  creation: Creation,
  createdBy: string | null,
): Promise<string[]> {
  const transferGroup = creation.rows.length > 1 ? randomUUID() : null;
  const values: unknown[] = [
    input.date,
    input.payee,
    input.description,
    input.notes,
    creation.categoryId,
    input.tags,
    input.status,
    createdBy,
    transferGroup,
  ];
  const tuples = creation.rows.map((row) => {
    values.push(row.accountId, row.amount.minor.toString(), row.amount.currency);
    const n = values.length;
    return `($${n - 2}::bigint, $${n - 1}::bigint, $${n}, $1::date, $2, $3, $4, $5::bigint,
      $6::text[], $7, $8::bigint, $9::uuid)`;
  });
  const { rows } = await client.query<{ id: string; account_id: string }>(
    `insert into transactions (account_id, amount, currency, booking_date, payee, description,
       notes, category_id, tags, status, created_by, transfer_group)
     values ${tuples.join(", ")} returning id::text, account_id::text`,
    values,
  );
  // The two sides of a transfer are in different accounts, which tells them apart.
  return creation.rows.map((row) => rows.find((r) => r.account_id === row.accountId)?.id ?? "");
}

async function insertSplits(
  client: pg.PoolClient,
  transactionId: string,
  splits: readonly Split[],
): Promise<void> {
  if (splits.length === 0) return;
  await client.query(
    `insert into transaction_splits (transaction_id, position, amount, category_id, memo)
     select $1, (u.ord - 1)::int, u.amount, u.category_id, u.memo
     from unnest($2::bigint[], $3::bigint[], $4::text[]) with ordinality
       as u (amount, category_id, memo, ord)`,
    [
      transactionId,
      splits.map((s) => s.amount.minor.toString()),
      splits.map((s) => s.categoryId),
      splits.map((s) => s.memo ?? ""),
    ],
  );
}

function categoryVanished(error: unknown): never {
  if (isForeignKeyViolation(error)) {
    throw errors.validation([{ path: "body", message: "refers to a category deleted meanwhile" }]);
  }
  throw error;
}

const splitsCarryCategories = {
  path: "body.categoryId",
  message: "must be null: the splits carry the categories",
};

/** The other side of a new transfer, or undefined with the problems noted. */
function planCounter(
  account: LockedAccount,
  amount: Money | undefined,
  transfer: { accountId: string; amount?: string | undefined },
  accounts: ReadonlyMap<string, LockedAccount>,
  problems: FieldProblem[],
  input: CreateTransaction,
): NewRow | undefined {
  if (input.categoryId) problems.push(noCategoryOnTransfer);
  if (input.splits.length > 0) problems.push(noSplitsOnTransfer);
  const other = accounts.get(transfer.accountId);
  if (other === undefined) {
    problems.push({ path: "body.transfer.accountId", message: "is not an account" });
    return undefined;
  }
  const given =
    transfer.amount === undefined
      ? undefined
      : amountAt(transfer.amount, other.currency, "body.transfer.amount", problems);
  if (amount === undefined || (transfer.amount !== undefined && given === undefined)) {
    return undefined;
  }
  const decision = planTransfer({
    accountId: account.id,
    amount,
    counterAccountId: other.id,
    counterCurrency: other.currency,
    ...(given === undefined ? {} : { counterAmount: given }),
  });
  if (decision.ok) return { accountId: other.id, amount: decision.counterAmount };
  problems.push(...fromTransfer(decision.problems));
  return undefined;
}

async function planCreate(client: pg.PoolClient, input: CreateTransaction): Promise<Creation> {
  const transfer = input.transfer ?? undefined;
  const accounts = await lockAccounts(client, [input.accountId, transfer?.accountId]);
  const account = accounts.get(input.accountId);
  if (account === undefined) {
    throw errors.validation([{ path: "body.accountId", message: "is not an account" }]);
  }
  const problems: FieldProblem[] = [
    ...currencyProblem(input.currency, account.currency),
    ...closedProblems(accounts, [...accounts.keys()], input.date),
  ];
  const amount = amountAt(input.amount, account.currency, "body.amount", problems);
  const splits = parseSplits(input.splits, account.currency, problems) ?? [];
  await checkCategories(client, input.categoryId, input.splits, problems);
  if (amount !== undefined && splits.length > 0) problems.push(...splitProblems(amount, splits));
  if (input.categoryId && input.splits.length > 0) problems.push(splitsCarryCategories);
  const counter =
    transfer === undefined
      ? undefined
      : planCounter(account, amount, transfer, accounts, problems, input);
  if (problems.length > 0 || amount === undefined) throw errors.validation(problems);
  const rows: NewRow[] = [{ accountId: account.id, amount }];
  if (counter !== undefined) rows.push(counter);
  return { rows, categoryId: splits.length > 0 ? null : (input.categoryId ?? null), splits };
}

/**
 * Books a transaction, or with `transfer` a linked pair in one SQL transaction. 422 names every
 * bad field: unknown accounts or categories, amounts the currency cannot express, splits that
 * do not add up, transfer sides that do not oppose.
 */
export async function createTransaction(
  writer: TransactionWriter,
  input: CreateTransaction,
  userId: string,
): Promise<TransactionJson> {
  const ids = await withAuditedTransaction(writer.db, { actor: userId }, async (client) => {
    const creation = await planCreate(client, input);
    const created = await insertRows(client, input, creation, parseId(userId) ?? null).catch(
      categoryVanished,
    );
    await insertSplits(client, created[0] ?? "", creation.splits).catch(categoryVanished);
    // The rules run in the same SQL transaction: the row is never seen uncategorised.
    await applyRulesToTransactions(client, created);
    return created;
  });
  writer.created.inc(ids.length);
  // A bill fintrack booked from a schedule gives way to its real booking entered by hand: the
  // occurrence takes this transaction and the posted duplicate goes.
  await absorbDuplicates(writer.db, ids, userId);
  return getTransaction(writer.db, ids[0] ?? "");
}

interface StoredRow {
  id: string;
  account_id: string;
  date: string;
  amount: string;
  currency: string;
  payee: string;
  description: string;
  notes: string;
  category_id: string | null;
  tags: string[];
  status: string;
  transfer_group: string | null;
  version: string;
}

/** The transaction and, for a transfer, its other side, locked for update (in id order). */
async function lockPair(
  client: pg.PoolClient,
  id: string,
): Promise<{ self: StoredRow; other: StoredRow | undefined }> {
  const { rows } = await client.query<StoredRow>(
    `select id::text, account_id::text, to_char(booking_date, 'YYYY-MM-DD') as date,
       amount::text, currency, payee, description, notes, category_id::text, tags, status,
       transfer_group::text, version::text
     from transactions
     where id = $1
        or transfer_group = (select transfer_group from transactions where id = $1)
     order by transactions.id for update`,
    [id],
  );
  const self = rows.find((row) => row.id === id);
  if (self === undefined) throw errors.notFound("the transaction");
  return { self, other: rows.find((row) => row.id !== id) };
}

async function storedSplits(client: pg.PoolClient, row: StoredRow): Promise<Split[]> {
  const { rows } = await client.query<{ amount: string; category_id: string | null; memo: string }>(
    `select amount::text, category_id::text, memo from transaction_splits
     where transaction_id = $1 order by position`,
    [row.id],
  );
  return rows.map((s) => ({
    amount: money(BigInt(s.amount), row.currency),
    categoryId: s.category_id,
    memo: s.memo,
  }));
}

/** The checked new state of an edited transaction, and of its transfer's other side. */
interface Edit {
  accountId: string;
  amount: Money;
  categoryId: string | null;
  /** Undefined keeps the stored lines. */
  splits: Split[] | undefined;
  counterAmount: Money | undefined;
}

function accountProblems(
  accounts: ReadonlyMap<string, LockedAccount>,
  accountId: string,
  self: StoredRow,
  other: StoredRow | undefined,
): FieldProblem[] {
  const target = accounts.get(accountId);
  const problem = (message: string) => [{ path: "body.accountId", message }];
  if (target === undefined) return problem("is not an account");
  if (target.currency !== self.currency) {
    return problem(`is in ${target.currency} but the transaction is in ${self.currency}`);
  }
  if (accountId === other?.account_id) {
    return problem("is the other side's account; a transfer needs two different accounts");
  }
  return [];
}

/** The split lines after the edit: the given ones, else the stored ones checked again. */
async function editedSplits(
  client: pg.PoolClient,
  self: StoredRow,
  amount: Money | undefined,
  patch: UpdateTransaction,
  problems: FieldProblem[],
): Promise<{ given: Split[] | undefined; all: Split[] }> {
  if (patch.splits !== undefined) {
    const given = parseSplits(patch.splits, self.currency, problems);
    if (amount !== undefined && given !== undefined && given.length > 0) {
      problems.push(...splitProblems(amount, given));
    }
    return { given, all: given ?? [] };
  }
  const stored = await storedSplits(client, self);
  if (amount !== undefined && stored.length > 0 && validateSplits(amount, stored).length > 0) {
    const message = "no longer matches the splits; send the changed splits as well";
    problems.push({ path: "body.amount", message });
  }
  return { given: undefined, all: stored };
}

async function planEdit(
  client: pg.PoolClient,
  self: StoredRow,
  other: StoredRow | undefined,
  patch: UpdateTransaction,
): Promise<Edit> {
  const accountId = patch.accountId ?? self.account_id;
  const accounts = await lockAccounts(client, [self.account_id, accountId, other?.account_id]);
  const problems: FieldProblem[] = [
    ...currencyProblem(patch.currency, self.currency),
    ...accountProblems(accounts, accountId, self, other),
    ...closedProblems(accounts, [accountId, other?.account_id], patch.date ?? self.date),
  ];
  const amount =
    patch.amount === undefined
      ? money(BigInt(self.amount), self.currency)
      : amountAt(patch.amount, self.currency, "body.amount", problems);
  await checkCategories(client, patch.categoryId, patch.splits ?? [], problems);
  const splits = await editedSplits(client, self, amount, patch, problems);
  let categoryId = patch.categoryId === undefined ? self.category_id : patch.categoryId;
  if (splits.all.length > 0) {
    if (patch.categoryId) problems.push(splitsCarryCategories);
    categoryId = null;
  }
  if (other === undefined && patch.transfer !== undefined) {
    const message = "the transaction is not a transfer; create a transfer instead";
    problems.push({ path: "body.transfer", message });
  }
  const counterAmount =
    other === undefined
      ? undefined
      : repriceOther(self, other, amount, categoryId, splits.all, patch, problems);
  if (problems.length > 0 || amount === undefined) throw errors.validation(problems);
  return { accountId, amount, categoryId, splits: splits.given, counterAmount };
}

function repriceOther(
  self: StoredRow,
  other: StoredRow,
  amount: Money | undefined,
  categoryId: string | null,
  splits: readonly Split[],
  patch: UpdateTransaction,
  problems: FieldProblem[],
): Money | undefined {
  if (categoryId !== null) problems.push(noCategoryOnTransfer);
  if (splits.length > 0) problems.push(noSplitsOnTransfer);
  const wanted = patch.transfer?.accountId;
  if (wanted !== undefined && wanted !== other.account_id) {
    problems.push({
      path: "body.transfer.accountId",
      message: "cannot change: delete the transfer and create a new one",
    });
  }
  const text = patch.transfer?.amount;
  const given =
    text === undefined
      ? undefined
      : amountAt(text, other.currency, "body.transfer.amount", problems);
  if (amount === undefined || (text !== undefined && given === undefined)) return undefined;
  const previousCounter = money(BigInt(other.amount), other.currency);
  if (patch.amount === undefined && given === undefined) return previousCounter;
  const decision = repriceTransfer({
    amount,
    previousCounter,
    ...(given === undefined ? {} : { counterAmount: given }),
  });
  if (decision.ok) return decision.counterAmount;
  problems.push(...fromTransfer(decision.problems));
  return undefined;
}

/** 409 when either side is reconciled: reconciled transactions are locked until unlocked. */
function refuseReconciled(self: StoredRow, other: StoredRow | undefined): void {
  if (self.status === "reconciled" || other?.status === "reconciled") {
    throw errors.conflict(
      `the transaction is reconciled and locked: unlock it first (POST /api/v1/transactions/${self.id}/unlock)`,
    );
  }
}

/**
 * Changes a transaction. On a transfer the other side follows: the same date, and the mirrored
 * amount (across currencies the given or the kept `transfer.amount`). 409 when reconciled, 412
 * when `ifMatch` names another version than the current one.
 */
export async function updateTransaction(
  db: pg.Pool,
  id: string,
  patch: UpdateTransaction,
  actor?: string,
  ifMatch?: IfMatch,
): Promise<TransactionJson> {
  await withAuditedTransaction(db, { actor }, async (client) => {
    const { self, other } = await lockPair(client, id);
    checkIfMatch(ifMatch, self.version);
    refuseReconciled(self, other);
    const edit = await planEdit(client, self, other, patch);
    await client
      .query(
        `update transactions set account_id = $2, booking_date = $3::date, amount = $4,
           payee = $5, description = $6, notes = $7, category_id = $8, tags = $9::text[],
           status = $10, updated_at = now()
         where id = $1`,
        [
          id,
          edit.accountId,
          patch.date ?? self.date,
          edit.amount.minor.toString(),
          patch.payee ?? self.payee,
          patch.description ?? self.description,
          patch.notes ?? self.notes,
          edit.categoryId,
          patch.tags ?? self.tags,
          patch.status ?? self.status,
        ],
      )
      .catch(categoryVanished);
    if (other !== undefined && edit.counterAmount !== undefined) {
      await client.query(
        `update transactions set booking_date = $2::date, amount = $3, updated_at = now()
         where id = $1 and (booking_date <> $2::date or amount <> $3)`,
        [other.id, patch.date ?? self.date, edit.counterAmount.minor.toString()],
      );
    }
    if (edit.splits !== undefined) {
      await client.query("delete from transaction_splits where transaction_id = $1", [id]);
      await insertSplits(client, id, edit.splits).catch(categoryVanished);
    }
  });
  return getTransaction(db, id);
}

/**
 * Deletes a transaction; deleting either side of a transfer deletes both. 409 when reconciled,
 * 412 when `ifMatch` names another version than the current one.
 */
export async function deleteTransaction(
  db: pg.Pool,
  id: string,
  actor?: string,
  ifMatch?: IfMatch,
): Promise<void> {
  await withAuditedTransaction(db, { actor }, async (client) => {
    const { self, other } = await lockPair(client, id);
    checkIfMatch(ifMatch, self.version);
    refuseReconciled(self, other);
    await client.query("delete from transactions where id = any($1::bigint[])", [
      [self.id, ...(other === undefined ? [] : [other.id])],
    ]);
  });
}

/** A transaction a bulk action touches, locked: a requested one or a transfer's other side. */
interface BulkRow {
  id: string;
  account_id: string;
  status: string;
  tags: string[];
  transfer_group: string | null;
}

/**
 * The requested transactions and the other sides of their transfers, locked for update in id
 * order (the order every write here takes, so two bulk actions never wait in a circle).
 */
async function lockBulk(client: pg.PoolClient, ids: readonly string[]): Promise<BulkRow[]> {
  const { rows } = await client.query<BulkRow>(
    `select id::text, account_id::text, status, tags, transfer_group::text
     from transactions
     where id = any($1::bigint[])
        or transfer_group in (select transfer_group from transactions
                              where id = any($1::bigint[]) and transfer_group is not null)
     order by transactions.id for update`,
    [ids],
  );
  return rows;
}

/** The ids among `ids` that have split lines. */
async function splitIds(client: pg.PoolClient, ids: readonly string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ id: string }>(
    "select distinct transaction_id::text as id from transaction_splits where transaction_id = any($1::bigint[])",
    [ids],
  );
  return new Set(rows.map((row) => row.id));
}

/** `body.ids[i]` problems for the requested ids that `bad` names, at their first position. */
function idProblems(
  ids: readonly string[],
  bad: (id: string) => string | undefined,
): FieldProblem[] {
  const seen = new Set<string>();
  return ids.flatMap((id, index) => {
    if (seen.has(id)) return [];
    seen.add(id);
    const message = bad(id);
    return message === undefined ? [] : [{ path: `body.ids[${index}]`, message }];
  });
}

/**
 * 409 when a requested transaction, or the other side of a requested transfer, is reconciled:
 * the rule of single edits, applied to every row before any changes.
 */
function refuseLocked(ids: readonly string[], rows: readonly BulkRow[]): void {
  const reconciledGroups = new Set(
    rows.filter((r) => r.status === "reconciled" && r.transfer_group).map((r) => r.transfer_group),
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const lockedIds: string[] = [];
  const problems = idProblems(ids, (id) => {
    const row = byId.get(id);
    const message =
      row?.status === "reconciled"
        ? `transaction ${id} is reconciled and locked`
        : row?.transfer_group && reconciledGroups.has(row.transfer_group)
          ? `transaction ${id} is a transfer whose other side is reconciled and locked`
          : undefined;
    if (message !== undefined) lockedIds.push(id);
    return message;
  });
  if (problems.length === 0) return;
  throw errors.conflictAt(
    `transactions ${lockedIds.join(", ")} are reconciled and locked: unlock them first ` +
      "(POST /api/v1/transactions/{id}/unlock) or leave them out; nothing was changed",
    problems,
  );
}

/** Why categorising each requested row is refused: transfers and split transactions. */
async function categoriseProblems(
  client: pg.PoolClient,
  ids: readonly string[],
  rows: readonly BulkRow[],
  categoryId: string | null,
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (categoryId !== null && (await missingCategories(client, [categoryId])).size > 0) {
    problems.push({ path: "body.categoryId", message: "is not a category" });
  }
  const split = await splitIds(client, ids);
  const byId = new Map(rows.map((row) => [row.id, row]));
  problems.push(
    ...idProblems(ids, (id) => {
      if (byId.get(id)?.transfer_group) return "is a transfer, which has no category";
      if (split.has(id)) {
        return "is split: its lines carry the categories; change them on the transaction itself";
      }
      return undefined;
    }),
  );
  return problems;
}

/** The changes of one bulk action, on locked and checked rows; returns the rows changed. */
async function applyBulk(
  client: pg.PoolClient,
  input: BulkAction,
  ids: readonly string[],
  rows: readonly BulkRow[],
): Promise<{ changed: number; deleted: string[] }> {
  switch (input.action) {
    case "categorise": {
      const result = await client
        .query(
          `update transactions set category_id = $2::bigint, updated_at = now()
           where id = any($1::bigint[]) and category_id is distinct from $2::bigint`,
          [ids, input.categoryId ?? null],
        )
        .catch(categoryVanished);
      return { changed: result.rowCount ?? 0, deleted: [] };
    }
    case "tag": {
      const result = await client.query(
        `update transactions set tags = tags || array[$2::text], updated_at = now()
         where id = any($1::bigint[]) and not tags @> array[$2::text]`,
        [ids, input.tag],
      );
      return { changed: result.rowCount ?? 0, deleted: [] };
    }
    case "untag": {
      const result = await client.query(
        `update transactions set tags = array_remove(tags, $2::text), updated_at = now()
         where id = any($1::bigint[]) and tags @> array[$2::text]`,
        [ids, input.tag],
      );
      return { changed: result.rowCount ?? 0, deleted: [] };
    }
    case "delete": {
      // The balance triggers lock the accounts; taking them first, in id order, keeps two
      // bulk deletes over the same accounts from deadlocking.
      await lockAccounts(
        client,
        rows.map((row) => row.account_id),
      );
      const all = rows.map((row) => row.id);
      await client.query("delete from transactions where id = any($1::bigint[])", [all]);
      return { changed: all.length, deleted: all };
    }
  }
}

/** 422 problems of the action's own rules: categories, tags per transaction. */
async function bulkProblems(
  client: pg.PoolClient,
  input: BulkAction,
  ids: readonly string[],
  rows: readonly BulkRow[],
): Promise<FieldProblem[]> {
  if (input.action === "categorise") {
    return categoriseProblems(client, ids, rows, input.categoryId ?? null);
  }
  if (input.action === "tag" && input.tag !== undefined) {
    const tag = input.tag;
    const byId = new Map(rows.map((row) => [row.id, row]));
    return idProblems(ids, (id) => {
      const tags = byId.get(id)?.tags ?? [];
      return !tags.includes(tag) && tags.length >= MAX_TAGS
        ? `already has ${MAX_TAGS} tags, the most a transaction carries`
        : undefined;
    });
  }
  return [];
}

/**
 * Categorises, tags, untags or deletes up to 1000 transactions in one SQL transaction: every
 * row changes or none. 422 names unknown ids (`body.ids[i]`) and rows the action does not
 * apply to: categorising a split transaction (its lines carry the categories) or a transfer is
 * refused, not skipped, so the result is always exactly what was asked. 409 lists the rows
 * that are reconciled (or whose transfer's other side is). Deleting a transfer's side deletes
 * both, as a single delete does. The audit triggers record each changed row under `actor`.
 */
export async function bulkTransactions(
  db: pg.Pool,
  input: BulkAction,
  actor?: string,
): Promise<BulkResultJson> {
  if (input.filter !== undefined) return bulkByFilter(db, input, input.filter, actor);
  const requested = input.ids ?? [];
  const ids = [...new Set(requested)];
  const done = await withAuditedTransaction(db, { actor }, async (client) => {
    const rows = await lockBulk(client, ids);
    const found = new Set(rows.map((row) => row.id));
    const missing = idProblems(requested, (id) =>
      found.has(id) ? undefined : "is not a transaction",
    );
    if (missing.length > 0) throw errors.validation(missing);
    refuseLocked(requested, rows);
    const problems = await bulkProblems(client, input, requested, rows);
    if (problems.length > 0) throw errors.validation(problems);
    return applyBulk(client, input, ids, rows);
  });
  const data = input.action === "delete" ? [] : await getTransactions(db, ids);
  return { action: input.action, changed: done.changed, data, deleted: done.deleted };
}

/** Whether `row` is reconciled, or a transfer whose other side is (`reconciledGroups`). */
function isLocked(row: BulkRow, reconciledGroups: ReadonlySet<string | null>): boolean {
  return (
    row.status === "reconciled" ||
    (row.transfer_group !== null && reconciledGroups.has(row.transfer_group))
  );
}

/**
 * The matched ids the action applies to, of the locked `rows`: reconciled rows (and transfers
 * whose other side is) are left alone, as are those the ids form refuses (transfers and split
 * transactions when categorising, rows already carrying the most tags when tagging).
 */
async function applicableIds(
  client: pg.PoolClient,
  input: BulkAction,
  matched: readonly string[],
  rows: readonly BulkRow[],
): Promise<string[]> {
  const reconciledGroups = new Set(
    rows.filter((r) => r.status === "reconciled" && r.transfer_group).map((r) => r.transfer_group),
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const split = input.action === "categorise" ? await splitIds(client, matched) : new Set();
  return matched.filter((id) => {
    const row = byId.get(id);
    if (row === undefined || isLocked(row, reconciledGroups)) return false;
    switch (input.action) {
      case "categorise":
        return row.transfer_group === null && !split.has(id);
      case "tag":
        return (
          input.tag === undefined || row.tags.includes(input.tag) || row.tags.length < MAX_TAGS
        );
      default:
        return true;
    }
  });
}

/**
 * A bulk action on every transaction `filter` selects (the list's filters, the search language
 * included), however many, in one SQL transaction audited under `actor`. The matching rows and
 * the other sides of their transfers are locked in id order, then the action applies to those
 * it can: reconciled rows are left alone rather than refused, as are rows the ids form would
 * refuse (see applicableIds), and the answer counts them as `skipped`.
 */
async function bulkByFilter(
  db: pg.Pool,
  input: BulkAction,
  filter: TransactionFilters,
  actor?: string,
): Promise<BulkResultJson> {
  const resolved = await resolveFilter(db, filter, "body.filter");
  const done = await withAuditedTransaction(db, { actor }, async (client) => {
    if (input.action === "categorise" && input.categoryId) {
      if ((await missingCategories(client, [input.categoryId])).size > 0) {
        throw errors.validation([{ path: "body.categoryId", message: "is not a category" }]);
      }
    }
    if (resolved === undefined) return { matched: 0, skipped: 0, changed: 0, deleted: [] };
    const query = matchingIdsQuery(resolved);
    const matched = (await client.query<{ id: string }>(query.text, query.values)).rows.map(
      (row) => row.id,
    );
    const rows = await lockBulk(client, matched);
    const ids = await applicableIds(client, input, matched, rows);
    const chosen = new Set(ids);
    const groups = new Set(rows.filter((r) => chosen.has(r.id)).map((r) => r.transfer_group));
    // A transfer's other side goes with it on delete, as with ids; locked rows stay out.
    const touched = rows.filter(
      (r) => chosen.has(r.id) || (r.transfer_group !== null && groups.has(r.transfer_group)),
    );
    const applied =
      ids.length === 0 ? { changed: 0, deleted: [] } : await applyBulk(client, input, ids, touched);
    return { matched: matched.length, skipped: matched.length - ids.length, ...applied };
  });
  return { action: input.action, data: [], ...done };
}
