// Which of the household's accounts a bank file is for, by the account the file names (its
// statement account) and the IBANs accounts keep; and the refusal to book a file into an account
// whose IBAN is another.
import type pg from "pg";
import { AppError, errors } from "../../errors.ts";
import { identifierIban, identifierNamesIban, printIban } from "../../domain/iban.ts";

interface AccountWithIban {
  id: string;
  name: string;
  iban: string;
  archived: boolean;
}

/** The statement account as the upload answers it: as the file has it, and whose it is. */
export interface StatementAccount {
  identifier: string;
  /** The IBAN the identifier stands for, printed; null when it is some other number. */
  iban: string | null;
  accountId: string | null;
}

/** The accounts with an IBAN that `identifier` names (at most one but for short numbers). */
async function accountsNamed(db: pg.Pool, identifier: string): Promise<AccountWithIban[]> {
  const { rows } = await db.query<AccountWithIban>(
    "select id::text, name, iban, archived from accounts where iban is not null order by id",
  );
  return rows.filter((row) => identifierNamesIban(identifier, row.iban) === true);
}

/** The file's statement account and the household's account it names, when exactly one does. */
export async function statementAccountOf(
  db: pg.Pool,
  identifier: string | null,
): Promise<StatementAccount | null> {
  if (identifier === null) return null;
  const named = await accountsNamed(db, identifier);
  const iban = identifierIban(identifier);
  return {
    identifier,
    iban: iban === undefined ? null : printIban(iban),
    accountId: named.length === 1 ? (named[0]?.id ?? null) : null,
  };
}

/**
 * The open account a file naming `identifier` goes into when the upload names none: the one
 * whose IBAN it names. 422 on `body.accountId` when no open account, or several, fit.
 */
export async function accountNamedBy(db: pg.Pool, identifier: string | null): Promise<string> {
  const open =
    identifier === null ? [] : (await accountsNamed(db, identifier)).filter((a) => !a.archived);
  const only = open.length === 1 ? open[0] : undefined;
  if (only !== undefined) return only.id;
  const why =
    identifier === null
      ? "is required: the file does not name its account"
      : open.length === 0
        ? `is required: no open account has the IBAN of the file's account ${JSON.stringify(identifier)}`
        : `is required: several accounts fit the file's account ${JSON.stringify(identifier)}`;
  throw errors.validation([{ path: "body.accountId", message: why }]);
}

/**
 * Refuses (409, naming both) to book a file whose statement account is not the import's
 * account's IBAN, unless the user said it is (`allowed`): a wrong file never lands silently. An
 * account without IBAN takes any file, and so does a file that names no account.
 */
export async function refuseAccountMismatch(
  db: pg.Pool,
  accountId: string | null,
  identifier: string | null,
  allowed: boolean,
): Promise<void> {
  if (allowed || identifier === null || accountId === null) return;
  const { rows } = await db.query<{ name: string; iban: string | null }>(
    "select name, iban from accounts where id = $1",
    [accountId],
  );
  const account = rows[0];
  if (account?.iban == null || identifierNamesIban(identifier, account.iban) !== false) return;
  const fileIban = identifierIban(identifier);
  const file = fileIban === undefined ? JSON.stringify(identifier) : printIban(fileIban);
  const message =
    `the file is a statement of the account ${file}, but ${JSON.stringify(account.name)} has ` +
    `the IBAN ${printIban(account.iban)}: upload it into the file's account, or send ` +
    "allowAccountMismatch: true if it is this account's (an old IBAN, say)";
  throw new AppError(409, "account_mismatch", message, {
    errors: [{ path: "body.allowAccountMismatch", message }],
  });
}
