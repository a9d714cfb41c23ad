import type pg from "pg";
import { currencyExponent } from "../../domain/currencies.ts";
import { normaliseAccountNumber, printIban } from "../../domain/iban.ts";
import { errors, type FieldProblem } from "../../errors.ts";
import { isForeignKeyViolation, isUniqueViolation } from "../../db/transaction.ts";
import { amountAt, formatMinor } from "../../http/amounts.ts";
import { checkIfMatch, type IfMatch } from "../../http/preconditions.ts";
import { withAuditedTransaction } from "../../write-model/audit-context.ts";
import type { Account, CreateAccount, UpdateAccount } from "./schema.ts";

type Queryable = pg.Pool | pg.PoolClient;

interface AccountRow {
  id: string;
  name: string;
  type: Account["type"];
  currency: string;
  opening_balance: string;
  opening_date: string;
  archived: boolean;
  closed_on: string | null;
  iban: string | null;
  balance: string;
  version: string;
}

const columns = `id::text, name, type, currency, opening_balance::text,
  to_char(opening_date, 'YYYY-MM-DD') as opening_date, archived,
  to_char(closed_on, 'YYYY-MM-DD') as closed_on, iban,
  (opening_balance + transactions_total)::text as balance, version::text`;

/** An account row as the API shows it. */
export function presentAccount(row: AccountRow): Account {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    currency: row.currency,
    openingBalance: formatMinor(row.opening_balance, row.currency),
    openingDate: row.opening_date,
    archived: row.archived,
    closedOn: row.closed_on,
    iban: row.iban === null ? null : printIban(row.iban),
    balance: formatMinor(row.balance, row.currency),
    version: row.version,
  };
}

/** Every account (or only archived / only active ones), by name, each with its balance. */
export async function listAccounts(db: Queryable, archived?: boolean): Promise<Account[]> {
  const { rows } = await db.query<AccountRow>(
    `select ${columns} from accounts where $1::boolean is null or archived = $1
     order by lower(accounts.name), accounts.id`,
    [archived ?? null],
  );
  return rows.map(presentAccount);
}

/** One account; 404 when there is none with `id`. */
export async function getAccount(db: Queryable, id: string): Promise<Account> {
  const { rows } = await db.query<AccountRow>(`select ${columns} from accounts where id = $1`, [
    id,
  ]);
  const row = rows[0];
  if (row === undefined) throw errors.notFound("the account");
  return presentAccount(row);
}

function nameTaken(name: string) {
  return errors.conflict(`an account named ${JSON.stringify(name)} already exists`);
}

function ibanTaken(iban: string) {
  return errors.conflict(`another account already has the IBAN ${printIban(iban)}`);
}

// The IBAN as stored: normalised, or null for none (the schema checked it).
function storedIban(text: string | null | undefined): string | null | undefined {
  return text === undefined || text === null ? text : normaliseAccountNumber(text);
}

/** Creates an account; 422 for an opening balance its currency cannot express, 409 for a taken name. */
export async function createAccount(
  db: pg.Pool,
  input: CreateAccount,
  actor?: string,
): Promise<Account> {
  const problems: FieldProblem[] = [];
  const opening = amountAt(input.openingBalance, input.currency, "body.openingBalance", problems);
  if (opening === undefined) throw errors.validation(problems);
  try {
    return await withAuditedTransaction(db, { actor }, (client) =>
      insertAccount(client, input, opening.minor),
    );
  } catch (error) {
    if (isUniqueViolation(error, "accounts_name_key")) throw nameTaken(input.name);
    if (isUniqueViolation(error, "accounts_iban_key")) throw ibanTaken(input.iban ?? "");
    throw error;
  }
}

async function insertAccount(
  client: pg.PoolClient,
  input: CreateAccount,
  opening: bigint,
): Promise<Account> {
  const { rows } = await client.query<{ id: string }>(
    `insert into accounts (name, type, currency, opening_balance, opening_date, archived, iban)
       values ($1, $2, $3, $4, coalesce($5::date, current_date), $6, $7) returning id::text`,
    [
      input.name,
      input.type,
      input.currency,
      opening.toString(),
      input.openingDate ?? null,
      input.archived,
      storedIban(input.iban) ?? null,
    ],
  );
  return getAccount(client, rows[0]?.id ?? "");
}

/**
 * Changes an account. Its currency is fixed once it has transactions (their amounts are in it):
 * 409 then. Changing the currency of an account with an opening balance needs that balance
 * restated in the new currency unless both have the same number of decimals. 412 when
 * `ifMatch` names another version than the current one.
 */
export async function updateAccount(
  db: pg.Pool,
  id: string,
  patch: UpdateAccount,
  actor?: string,
  ifMatch?: IfMatch,
): Promise<Account> {
  try {
    return await withAuditedTransaction(db, { actor }, async (client) => {
      // The same lock mode transaction writes take on their account, so no transaction can
      // slip in between the check below and the currency change.
      const { rows } = await client.query<AccountRow>(
        `select ${columns} from accounts where id = $1 for no key update`,
        [id],
      );
      const current = rows[0];
      if (current === undefined) throw errors.notFound("the account");
      checkIfMatch(ifMatch, current.version);
      const currency = patch.currency ?? current.currency;
      if (currency !== current.currency) await refuseIfUsed(client, id);
      const opening = openingBalanceMinor(current, currency, patch.openingBalance);
      const closing = await closingOf(client, current, patch, opening);
      await client.query(
        `update accounts set name = $2, type = $3, currency = $4, opening_balance = $5,
           opening_date = $6, archived = $7, closed_on = $8, iban = $9, updated_at = now()
         where id = $1`,
        [
          id,
          patch.name ?? current.name,
          patch.type ?? current.type,
          currency,
          opening,
          patch.openingDate ?? current.opening_date,
          closing.archived,
          closing.closedOn,
          patch.iban === undefined ? current.iban : storedIban(patch.iban),
        ],
      );
      return getAccount(client, id);
    });
  } catch (error) {
    if (isUniqueViolation(error, "accounts_name_key")) throw nameTaken(patch.name ?? "");
    if (isUniqueViolation(error, "accounts_iban_key")) throw ibanTaken(patch.iban ?? "");
    throw error;
  }
}

/**
 * The account's closing day and archived flag after `patch`. Closing needs a zero balance (after
 * any opening-balance change in the same patch) and a day no earlier than the last transaction
 * or the opening date; a closed account is archived, and unarchiving it needs reopening first.
 */
async function closingOf(
  client: pg.PoolClient,
  current: AccountRow,
  patch: UpdateAccount,
  opening: string,
): Promise<{ closedOn: string | null; archived: boolean }> {
  const closedOn = patch.closedOn === undefined ? current.closed_on : patch.closedOn;
  if (closedOn === null) return { closedOn, archived: patch.archived ?? current.archived };
  const problems: FieldProblem[] = [];
  if (patch.archived === false) {
    const message = "must stay true while the account is closed; reopen it with closedOn: null";
    problems.push({ path: "body.archived", message });
  }
  if (patch.closedOn) {
    const balance = BigInt(current.balance) - BigInt(current.opening_balance) + BigInt(opening);
    const { rows } = await client.query<{ last: string | null }>(
      `select to_char(max(booking_date), 'YYYY-MM-DD') as last
       from transactions where account_id = $1`,
      [current.id],
    );
    const last = rows[0]?.last ?? null;
    const openingDate = patch.openingDate ?? current.opening_date;
    if (balance !== 0n) {
      const shown = formatMinor(balance.toString(), current.currency);
      problems.push({
        path: "body.closedOn",
        message: `needs a zero balance, but the balance is ${shown} ${current.currency}`,
      });
    } else if (last !== null && patch.closedOn < last) {
      const message = `is before the account's last transaction, on ${last}`;
      problems.push({ path: "body.closedOn", message });
    } else if (patch.closedOn < openingDate) {
      const message = `is before the account's opening date, ${openingDate}`;
      problems.push({ path: "body.closedOn", message });
    }
  }
  if (problems.length > 0) throw errors.validation(problems);
  return { closedOn, archived: true };
}

async function refuseIfUsed(client: pg.PoolClient, id: string): Promise<void> {
  const { rows } = await client.query<{ used: boolean }>(
    "select exists (select 1 from transactions where account_id = $1) as used",
    [id],
  );
  if (rows[0]?.used) {
    throw errors.conflict("the account has transactions, so its currency can no longer change");
  }
}

// The opening balance in minor units of `currency` after the update.
function openingBalanceMinor(
  current: AccountRow,
  currency: string,
  given: string | undefined,
): string {
  const problems: FieldProblem[] = [];
  if (given !== undefined) {
    const parsed = amountAt(given, currency, "body.openingBalance", problems);
    if (parsed === undefined) throw errors.validation(problems);
    return parsed.minor.toString();
  }
  const sameScale = currencyExponent(currency) === currencyExponent(current.currency);
  if (sameScale || current.opening_balance === "0") return current.opening_balance;
  throw errors.validation([
    {
      path: "body.openingBalance",
      message: `is required when the currency changes from ${current.currency} to ${currency}`,
    },
  ]);
}

/**
 * Deletes an account without transactions; 409 while it has any (archive it instead), 412 when
 * `ifMatch` names another version than the current one.
 */
export async function deleteAccount(
  db: pg.Pool,
  id: string,
  actor?: string,
  ifMatch?: IfMatch,
): Promise<void> {
  const used = () =>
    errors.conflict("the account has transactions: archive it instead of deleting it");
  try {
    await withAuditedTransaction(db, { actor }, async (client) => {
      const { rows } = await client.query<{ version: string }>(
        "select version::text from accounts where id = $1 for no key update",
        [id],
      );
      const current = rows[0];
      if (current === undefined) throw errors.notFound("the account");
      checkIfMatch(ifMatch, current.version);
      const { rows: found } = await client.query<{ used: boolean }>(
        "select exists (select 1 from transactions where account_id = $1) as used",
        [id],
      );
      if (found[0]?.used) throw used();
      await client.query("delete from accounts where id = $1", [id]);
    });
  } catch (error) {
    if (isForeignKeyViolation(error)) throw used();
    throw error;
  }
}
