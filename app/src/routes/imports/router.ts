import type pg from "pg";
import { z } from "zod";
import { route, type Route } from "../../http/route.ts";
import { IdParamsSchema, pathId } from "../../http/ids.ts";
import { problemResponse } from "../../http/schema.ts";
import { UPLOADED_KEPT_DAYS } from "../../write-model/import-cleanup.ts";
import { TWIN_DAYS } from "./commit.ts";
import {
  CommitResultSchema,
  CommitSchema,
  ImportPreviewSchema,
  ImportSchema,
  PREVIEW_ROWS,
  UploadSchema,
} from "./schema.ts";
import { IMPORT_COLUMNS, type ImportRow, presentImport } from "./store.ts";
import { profileRoutes } from "./profiles.ts";
import { STALLED_AFTER_MINUTES } from "./stalled.ts";
import { uploadImport } from "./upload.ts";
import {
  commitImport,
  current,
  discardImport,
  previewImportCommit,
  requireImport,
  undoImport,
} from "./service.ts";

const tag = "imports";
const notFound = { 404: problemResponse("No such import") };

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
        "inspected (encoding, format, CSV dialect, the account it names); nothing is booked " +
        "until the commit. Without `accountId` the file goes into the open account whose IBAN " +
        "the file names (MT940 `:25:`, CAMT.053 `Acct/Id`, OFX `ACCTID`); 422 when none does.",
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
          `select ${IMPORT_COLUMNS} from imports where status not in ('uploading', 'discarded')
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
          "The import is already committed or being committed, or expired (upload the file " +
            "again), or the file names another account than the import's account's IBAN " +
            "(`allowAccountMismatch: true` books it anyway)",
        ),
        422: problemResponse(
          "Rows that cannot be imported, each with its line; nothing was written",
        ),
      },
      handler: ({ params, body, principal }) => commitImport(db, params.id, body, principal.userId),
    }),
    route({
      method: "post",
      path: "/imports/:id/preview",
      operationId: "previewImport",
      summary: "Show what committing an import would book, without booking anything",
      description:
        "The body is the commit's (a mapping or a profileId, or neither). The commit's own steps " +
        "read and classify the file in a transaction that is rolled back, and the household's " +
        "rules run on each new row as they would once it is booked: the counts cover the whole " +
        `file, \`rows\` its first ${String(PREVIEW_ROWS)}, each with the bank's texts, what ` +
        "would be booked, the duplicate it would be skipped as, and the rules that would match.",
      tag,
      access: "write",
      params: IdParamsSchema,
      body: CommitSchema,
      responses: {
        200: { description: "What the commit would book and skip", schema: ImportPreviewSchema },
        ...notFound,
        409: problemResponse(
          "The import is already committed or being committed, or expired (upload the file " +
            "again), or the file names another account than the import's account's IBAN",
        ),
        422: problemResponse("Rows that cannot be imported, each with its line"),
      },
      handler: ({ params, body, principal }) =>
        previewImportCommit(db, params.id, body, principal.userId),
    }),
    route({
      method: "post",
      path: "/imports/:id/discard",
      operationId: "discardImport",
      summary: "Set aside an upload that will not be committed",
      description:
        "For a file chosen again, or sent into another account instead: its stored file is " +
        "deleted at once (not after " +
        `${UPLOADED_KEPT_DAYS} days) and the list of past imports leaves it out. Only an import ` +
        "that booked nothing can be discarded, so a discard never undoes a commit; discarding " +
        "it again answers the same.",
      tag,
      access: "write",
      params: IdParamsSchema,
      responses: {
        200: { description: "The discarded import", schema: ImportSchema },
        ...notFound,
        409: problemResponse("Committed, being committed, or undone: see DELETE to undo"),
      },
      handler: ({ params }) => discardImport(db, pathId(params.id, "the import")),
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
        undoImport(db, pathId(params.id, "the import"), principal.userId),
    }),
    ...profileRoutes(db),
  ];
}
