import type pg from "pg";
import { z } from "zod";
import { AppError, errors } from "../../errors.ts";
import { route, type Route } from "../../http/route.ts";
import type { TextEncoding } from "../../imports/encoding.ts";
import { IdParamsSchema, pathId } from "../../http/ids.ts";
import { problemResponse } from "../../http/schema.ts";
import { withAuditedTransaction } from "../../write-model/audit-context.ts";
import { absorbDuplicates } from "../../write-model/recurring-occurrences.ts";
import { EXPIRED_MESSAGE, UPLOADED_KEPT_DAYS } from "../../write-model/import-cleanup.ts";
import {
  chooseMapping,
  commitRows,
  importedIdBatches,
  readWithSuggestion,
  TWIN_DAYS,
} from "./commit.ts";
import {
  type CommitResult,
  CommitResultSchema,
  CommitSchema,
  ImportSchema,
  UploadSchema,
} from "./schema.ts";
import {
  deleteStoredFile,
  findImport,
  IMPORT_COLUMNS,
  type ImportRow,
  type PreparedLines,
  presentImport,
} from "./store.ts";
import { profileMapping, profileRoutes } from "./profiles.ts";
import { recoverStalledCommit, STALLED_AFTER_MINUTES } from "./stalled.ts";
import { uploadImport } from "./upload.ts";

const tag = "imports";
const notFound = { 404: problemResponse("No such import") };

// An import left 'committing' by a process that died is released before anyone reads it.
async function current(db: pg.Pool, row: ImportRow): Promise<ImportRow> {
  if (row.status !== "committing" || !(await recoverStalledCommit(db, row.id))) return row;
  return (await findImport(db, row.id)) ?? row;
}

async function requireImport(db: pg.Pool, text: string): Promise<ImportRow> {
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

async function commit(db: pg.Pool, id: string, body: z.infer<typeof CommitSchema>, userId: string) {
  const found = await requireImport(db, id);
  const { rows } = await db.query<{ suggested_mapping: unknown; prepared: PreparedLines | null }>(
    `update imports set status = 'committing', processed = 0, error = null, updated_at = now()
     where id = $1 and status = 'uploaded' returning suggested_mapping, prepared`,
    [found.id],
  );
  const claimed = rows[0];
  if (claimed === undefined) {
    // Read again: the cleanup may have expired the import since it was read above.
    const status = (await findImport(db, found.id))?.status ?? found.status;
    throw errors.conflict(
      status === "committing"
        ? `the import is being committed; if that commit stopped, it can be retried ${STALLED_AFTER_MINUTES} minutes after it began`
        : status === "expired"
          ? EXPIRED_MESSAGE
          : `the import is ${status}, not waiting to be committed`,
    );
  }
  let result: CommitResult;
  try {
    const mapping = chooseMapping(
      found.format,
      body.profileId === undefined ? body.mapping : await profileMapping(db, body.profileId),
      claimed.suggested_mapping,
    );
    result = await commitRows(db, {
      importId: found.id,
      accountId: found.account_id ?? "",
      format: found.format,
      encoding: found.encoding as TextEncoding,
      mapping,
      userId,
      prepared: readWithSuggestion(mapping, claimed.suggested_mapping)
        ? (claimed.prepared ?? undefined)
        : undefined,
    });
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

async function undo(db: pg.Pool, id: string, actor: string) {
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

/** Bank file imports: upload and inspect, commit, progress, list, undo and mapping profiles. */
export function importRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "post",
      path: "/imports",
      operationId: "uploadImport",
      summary: "Upload a bank file (CSV, OFX/QFX, QIF, CAMT.053 or MT940; 50 MB at most)",
      description:
        "multipart/form-data with the fields `file` and `accountId`. The file is stored and " +
        "inspected (encoding, format, CSV dialect); nothing is booked until the commit.",
      tag,
      access: "write",
      status: 201,
      responses: {
        201: {
          description: "The stored import, a preview and a suggested mapping",
          schema: UploadSchema,
        },
        404: problemResponse("No such account"),
        413: problemResponse("The file is over 50 MB"),
        422: problemResponse("Missing fields, or a file that cannot be read"),
      },
      handler: ({ req, principal }) => uploadImport(db, req, principal.userId),
    }),
    route({
      method: "get",
      path: "/imports",
      operationId: "listImports",
      summary: "List past imports, newest first",
      tag,
      access: "read",
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: {
        200: { description: "The imports", schema: z.object({ data: z.array(ImportSchema) }) },
      },
      handler: async ({ query }) => {
        const { rows } = await db.query<ImportRow>(
          `select ${IMPORT_COLUMNS} from imports where status <> 'uploading'
           order by created_at desc, imports.id desc limit $1`,
          [query.limit],
        );
        const live = await Promise.all(rows.map((row) => current(db, row)));
        return { data: live.map(presentImport) };
      },
    }),
    route({
      method: "get",
      path: "/imports/:id",
      operationId: "getImport",
      summary: "Read an import, with its progress while it is being committed",
      description:
        "A commit whose server stopped mid-way shows `committing` until it is found: then (at " +
        `least ${STALLED_AFTER_MINUTES} minutes after it began, and only when no server still runs ` +
        "it) the import is back to `uploaded` with `error` saying so, nothing of it booked, ready " +
        "to be committed again. An import not committed within " +
        `${UPLOADED_KEPT_DAYS} days shows \`expired\`: its file was deleted; upload it again.`,
      tag,
      access: "read",
      params: IdParamsSchema,
      responses: { 200: { description: "The import", schema: ImportSchema }, ...notFound },
      handler: async ({ params }) => presentImport(await requireImport(db, params.id)),
    }),
    route({
      method: "post",
      path: "/imports/:id/commit",
      operationId: "commitImport",
      summary: "Book an import's transactions: all or nothing, duplicates skipped",
      description:
        "A row is skipped as a duplicate when the account has its bank id (`bank_id`), the same " +
        "date, amount and text from an earlier import (`fingerprint`), or a transaction entered " +
        `by hand with the same amount booked at most ${TWIN_DAYS} days before or after it ` +
        "(`matched`: the nearest date wins, each transaction is matched once).",
      tag,
      access: "write",
      params: IdParamsSchema,
      body: CommitSchema,
      responses: {
        200: { description: "What was imported and what was skipped", schema: CommitResultSchema },
        ...notFound,
        409: problemResponse(
          "The import is already committed or being committed, or expired (upload the file again)",
        ),
        422: problemResponse(
          "Rows that cannot be imported, each with its line; nothing was written",
        ),
      },
      handler: ({ params, body, principal }) => commit(db, params.id, body, principal.userId),
    }),
    route({
      method: "delete",
      path: "/imports/:id",
      operationId: "undoImport",
      summary: "Undo an import: delete the transactions it booked",
      description:
        "The audit log records each deleted transaction as `import_undo` by the caller, with " +
        "its state before.",
      tag,
      access: "write",
      params: IdParamsSchema,
      responses: {
        200: {
          description: "The undone import",
          schema: ImportSchema.extend({ removed: z.number().int() }),
        },
        ...notFound,
        409: problemResponse("Not committed, or some of its transactions are reconciled"),
      },
      handler: ({ params, principal }) =>
        undo(db, pathId(params.id, "the import"), principal.userId),
    }),
    ...profileRoutes(db),
  ];
}
