import type pg from "pg";
import { z } from "zod";
import { AppError, errors } from "../../errors.ts";
import type { TextEncoding } from "../../imports/encoding.ts";
import { pathId } from "../../http/ids.ts";
import { withTransaction } from "../../db/transaction.ts";
import { withAuditedTransaction } from "../../write-model/audit-context.ts";
import { absorbDuplicates } from "../../write-model/recurring-occurrences.ts";
import { EXPIRED_MESSAGE } from "../../write-model/import-cleanup.ts";
import {
  chooseMapping,
  type CommitPlan,
  commitRows,
  importedIdBatches,
  readWithSuggestion,
} from "./commit.ts";
import { refuseAccountMismatch } from "./account-match.ts";
import { previewImport } from "./preview.ts";
import { type CommitResult, CommitSchema, type ImportPreview } from "./schema.ts";
import {
  deleteStoredFile,
  findImport,
  type ImportRow,
  type PreparedLines,
  presentImport,
} from "./store.ts";
import { profileMapping } from "./profiles.ts";
import { recoverStalledCommit, STALLED_AFTER_MINUTES } from "./stalled.ts";

// An import left 'committing' by a process that died is released before anyone reads it.
/** The import, released first when a process that died left it 'committing'. */
export async function current(db: pg.Pool, row: ImportRow): Promise<ImportRow> {
  if (row.status !== "committing" || !(await recoverStalledCommit(db, row.id))) return row;
  return (await findImport(db, row.id)) ?? row;
}

/** The import with id `text`; 404 for none, malformed ids and uploads still arriving. */
export async function requireImport(db: pg.Pool, text: string): Promise<ImportRow> {
  const row = await findImport(db, pathId(text, "the import"));
  if (row === undefined || row.status === "uploading") throw errors.notFound("the import");
  return current(db, row);
}

// What a failed commit leaves on the import for the user: the refusal, or that it failed.
function failureMessage(error: unknown): string {
  const message =
    error instanceof AppError && error.expose
      ? error.message
      : "the commit failed; nothing was booked";
  return message.slice(0, 1000);
}

/** What the import stored at upload: the suggested mapping and the staging lines prepared. */
interface Stored {
  suggested_mapping: unknown;
  prepared: PreparedLines | null;
}

/**
 * How a commit (or its preview) reads the import: the mapping given, a profile's, or the
 * suggested one, and the lines the upload prepared when they were read with that same mapping.
 */
async function planOf(
  db: pg.Pool,
  found: ImportRow,
  body: z.infer<typeof CommitSchema>,
  stored: Stored,
  userId: string,
): Promise<CommitPlan> {
  const mapping = chooseMapping(
    found.format,
    body.profileId === undefined ? body.mapping : await profileMapping(db, body.profileId),
    stored.suggested_mapping,
  );
  return {
    importId: found.id,
    accountId: found.account_id ?? "",
    format: found.format,
    encoding: found.encoding as TextEncoding,
    mapping,
    userId,
    prepared: readWithSuggestion(mapping, stored.suggested_mapping)
      ? (stored.prepared ?? undefined)
      : undefined,
  };
}

// A file that names another account than the import's is booked only when the user says so.
function refuseMismatch(db: pg.Pool, found: ImportRow, body: z.infer<typeof CommitSchema>) {
  return refuseAccountMismatch(
    db,
    found.account_id,
    found.statement_account,
    body.allowAccountMismatch === true,
  );
}

// Why an import that is not 'uploaded' cannot be committed (nor previewed), for a 409.
function notWaiting(status: string): string {
  return status === "committing"
    ? `the import is being committed; if that commit stopped, it can be retried ${STALLED_AFTER_MINUTES} minutes after it began`
    : status === "expired"
      ? EXPIRED_MESSAGE
      : `the import is ${status}, not waiting to be committed`;
}

/**
 * What committing the import with `body` would book, computed by the commit's own steps in a
 * transaction that is rolled back (preview.ts): 409 unless it is waiting to be committed.
 */
export async function previewImportCommit(
  db: pg.Pool,
  id: string,
  body: z.infer<typeof CommitSchema>,
  userId: string,
): Promise<ImportPreview> {
  const found = await requireImport(db, id);
  if (found.status !== "uploaded") throw errors.conflict(notWaiting(found.status));
  await refuseMismatch(db, found, body);
  const { rows } = await db.query<Stored>(
    "select suggested_mapping, prepared from imports where id = $1",
    [found.id],
  );
  const stored = rows[0];
  if (stored === undefined) throw errors.notFound("the import");
  return previewImport(db, await planOf(db, found, body, stored, userId));
}

/**
 * Commits an uploaded import: claims it, books its rows all-or-nothing (commit.ts), then lets
 * the real bookings absorb bills fintrack posted itself. A failed commit leaves the import
 * uploaded, with the reason on it.
 */
export async function commitImport(
  db: pg.Pool,
  id: string,
  body: z.infer<typeof CommitSchema>,
  userId: string,
) {
  const found = await requireImport(db, id);
  if (found.status === "uploaded") await refuseMismatch(db, found, body);
  const { rows } = await db.query<Stored>(
    `update imports set status = 'committing', processed = 0, error = null, updated_at = now()
     where id = $1 and status = 'uploaded' returning suggested_mapping, prepared`,
    [found.id],
  );
  const claimed = rows[0];
  if (claimed === undefined) {
    // Read again: the cleanup may have expired the import since it was read above.
    const status = (await findImport(db, found.id))?.status ?? found.status;
    throw errors.conflict(notWaiting(status));
  }
  let result: CommitResult;
  try {
    result = await commitRows(db, await planOf(db, found, body, claimed, userId));
  } catch (error) {
    await db.query(
      `update imports set status = 'uploaded', error = $2, updated_at = now()
       where id = $1 and status = 'committing'`,
      [found.id, failureMessage(error)],
    );
    throw error;
  }
  // absorbDuplicates opens its own SQL transaction, so it runs once the import is committed: a
  // bill fintrack posted itself gives way to its real booking from the bank file.
  for await (const ids of importedIdBatches(db, found.id, "recurring")) {
    await absorbDuplicates(db, ids);
  }
  return result;
}

/**
 * Sets aside an upload nobody will commit: its file goes at once and the list leaves it out. Only
 * an import that booked nothing qualifies; 409 for one committed or being committed, so a
 * discard sent after a commit whose answer was lost never undoes it.
 */
export async function discardImport(db: pg.Pool, id: string) {
  return withTransaction(db, async (client) => {
    const { rows } = await client.query<{ status: string }>(
      "select status from imports where id = $1 for update",
      [id],
    );
    const status = rows[0]?.status;
    if (status === undefined || status === "uploading") throw errors.notFound("the import");
    if (status !== "uploaded" && status !== "expired" && status !== "discarded") {
      throw errors.conflict(`the import is ${status}; only an import never committed is discarded`);
    }
    if (status !== "discarded") {
      await client.query(
        "update imports set status = 'discarded', updated_at = now() where id = $1",
        [id],
      );
      await deleteStoredFile(client, id);
    }
    const row = await findImport(client, id);
    if (row === undefined) throw errors.notFound("the import");
    return presentImport(row);
  });
}

/** Undoes a committed import: deletes its transactions (audited as an undo) and its file. */
export async function undoImport(db: pg.Pool, id: string, actor: string) {
  return withAuditedTransaction(db, { actor, action: "import_undo" }, async (client) => {
    // The deletes below are audited as an undo by the caller, each with its before image.
    const { rows } = await client.query<{ status: string }>(
      "select status from imports where id = $1 for update",
      [id],
    );
    const status = rows[0]?.status;
    if (status === undefined || status === "uploading") throw errors.notFound("the import");
    if (status !== "committed")
      throw errors.conflict(`the import is ${status}; only a committed import can be undone`);
    const reconciled = await client.query(
      "select 1 from transactions where import_id = $1 and status = 'reconciled' limit 1",
      [id],
    );
    if ((reconciled.rowCount ?? 0) > 0) {
      throw errors.conflict(
        "some of the import's transactions are reconciled; un-reconcile them first",
      );
    }
    const removed = await client.query("delete from transactions where import_id = $1", [id]);
    await client.query("update imports set status = 'undone', updated_at = now() where id = $1", [
      id,
    ]);
    await deleteStoredFile(client, id);
    const row = await findImport(client, id);
    if (row === undefined) throw errors.notFound("the import");
    return { ...presentImport(row), removed: removed.rowCount ?? 0 };
  });
}
