import busboy from "busboy";
import type { Request } from "express";
import type pg from "pg";
import { AppError, errors } from "../../errors.ts";
import { NUL_REFUSED } from "../../http/nul.ts";
import { decodeChunks, type TextEncoding } from "../../imports/encoding.ts";
import { inspect, type Inspection } from "../../imports/inspect.ts";
import { lines } from "../../imports/lines.ts";
import { readRowBatches } from "../../imports/read.ts";
import { ImportFileError } from "../../imports/types.ts";
import { parseId } from "../../http/ids.ts";
import { accountNamedBy, statementAccountOf } from "./account-match.ts";
import { noTotals, stagingLines } from "./staging.ts";
import {
  CHUNK_BYTES,
  deletePreparedLines,
  findImport,
  type PreparedLines,
  PreparedLinesWriter,
  presentImport,
  storedChunks,
} from "./store.ts";

/** The largest bank file accepted: 50 MB. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
const SAMPLE_BYTES = 64 * 1024;

/** An unreadable file as a 422 naming the line, the shape every import error answer has. */
export function fileProblem(error: ImportFileError): AppError {
  return new AppError(422, "import_unreadable", error.message, {
    errors: [
      Object.assign(
        { path: error.line === undefined ? "file" : `line ${error.line}`, message: error.message },
        error.line === undefined ? {} : { line: error.line },
      ),
    ],
  });
}

interface Received {
  importId: string | undefined;
  accountId: string | undefined;
  filename: string;
  size: number;
  sample: Buffer;
}

// Streams the multipart body: the file goes to import_chunks 1 MB at a time as it arrives (never
// whole in memory); the first 64 KB are kept for inspection.
function receive(db: pg.Pool, req: Request, userId: string, got: Received): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let fileSeen = false;
    let failed: Error | undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fields: 10, fileSize: MAX_IMPORT_BYTES, fieldSize: 1000, parts: 12 },
      });
    } catch {
      reject(errors.unsupportedMediaType("send the file as multipart/form-data"));
      return;
    }
    const work: Promise<void>[] = [];
    parser.on("field", (name, value) => {
      if (name === "accountId") got.accountId = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || fileSeen) {
        stream.resume();
        return;
      }
      fileSeen = true;
      // Stored as text: a multipart body does not pass through mountRoutes' NUL check.
      if ((info.filename ?? "").includes("\u0000")) {
        failed ??= errors.validation([{ path: "body.file", message: `its name ${NUL_REFUSED}` }]);
        stream.resume();
        return;
      }
      got.filename = (info.filename ?? "").slice(0, 255);
      work.push(
        (async () => {
          const { rows } = await db.query<{ id: string }>(
            `insert into imports (filename, format, encoding, size, preview, created_by)
             values ($1, 'csv', '', 0, '{}', $2) returning id::text`,
            [got.filename, userId],
          );
          const importId = rows[0]?.id ?? "";
          got.importId = importId;
          let pending: Buffer[] = [];
          let pendingBytes = 0;
          let seq = 0;
          const flush = async () => {
            if (pendingBytes === 0) return;
            const data = Buffer.concat(pending);
            pending = [];
            pendingBytes = 0;
            await db.query("insert into import_chunks (import_id, seq, data) values ($1, $2, $3)", [
              importId,
              seq,
              data,
            ]);
            seq += 1;
          };
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            if (got.sample.length < SAMPLE_BYTES) {
              got.sample = Buffer.concat([
                got.sample,
                chunk.subarray(0, SAMPLE_BYTES - got.sample.length),
              ]);
            }
            got.size += chunk.length;
            pending.push(chunk);
            pendingBytes += chunk.length;
            if (pendingBytes >= CHUNK_BYTES) await flush();
          }
          if (stream.truncated) throw errors.payloadTooLarge("50 MB");
          await flush();
        })().catch((error: unknown) => {
          failed ??= error instanceof Error ? error : new Error(String(error));
          stream.resume();
        }),
      );
    });
    parser.on("error", (error: unknown) => {
      const reason =
        failed ??
        errors.badRequest(
          `the multipart body is malformed: ${error instanceof Error ? error.message : ""}`,
        );
      failed = reason;
      req.unpipe(parser);
      void Promise.all(work).then(() => {
        reject(reason);
      });
    });
    parser.on("close", () => {
      void Promise.all(work).then(() => {
        if (failed !== undefined) reject(failed);
        else resolve();
      });
    });
    req.pipe(parser);
  });
}

async function requireAccount(
  db: pg.Pool,
  text: string,
): Promise<{ id: string; currency: string }> {
  const id = parseId(text);
  if (id === undefined)
    throw errors.validation([{ path: "body.accountId", message: "is not an id" }]);
  const { rows } = await db.query<{ currency: string }>(
    "select currency from accounts where id = $1",
    [id],
  );
  const currency = rows[0]?.currency;
  if (currency === undefined) throw errors.notFound("the account");
  return { id, currency };
}

/** What reading the whole file found. */
interface FileRead {
  rowCount: number;
  /** The encoding: a UTF-8 guess from an ASCII start may turn out Windows-1252 further on. */
  encoding: TextEncoding;
  prepared: PreparedLines | undefined;
}

// Reads the whole stored file once: it must decode and parse, and the count of rows is shown.
// With a mapping (every format but a CSV none could be suggested for) the read also prepares
// the commit's staging lines; a file with a bad row keeps none (the commit reports the rows).
// A CSV without a suggested mapping is counted by lines, which still refuses a 10 MB line.
async function readOnce(
  db: pg.Pool,
  importId: string,
  inspection: Inspection,
  currency: string,
): Promise<FileRead> {
  let encoding = inspection.encoding;
  const text = decodeChunks(storedChunks(db, importId, "file"), encoding, (found) => {
    encoding = found;
  });
  if (inspection.format === "csv" && inspection.suggestedMapping === null) {
    let count = 0;
    for await (const line of lines(text)) if (line.text.trim() !== "") count += 1;
    return { rowCount: count, encoding, prepared: undefined };
  }
  const totals = noTotals();
  const writer = new PreparedLinesWriter(db, importId);
  const batches = readRowBatches(inspection.format, text, inspection.suggestedMapping ?? undefined);
  for await (const staged of stagingLines(batches, currency, totals, () => undefined)) {
    if (totals.problemCount === 0) await writer.write(staged);
  }
  await writer.flush();
  const rowCount = totals.rows + totals.problemCount;
  if (totals.problemCount > 0) {
    await deletePreparedLines(db, importId);
    return { rowCount, encoding, prepared: undefined };
  }
  const prepared = { rows: totals.rows, withBankIds: totals.withBankIds, currency };
  return { rowCount, encoding, prepared };
}

/** POST /imports: stores the uploaded file, inspects it and answers the upload JSON. */
export async function uploadImport(db: pg.Pool, req: Request, userId: string): Promise<unknown> {
  const received: Received = {
    importId: undefined,
    accountId: undefined,
    filename: "",
    size: 0,
    sample: Buffer.alloc(0),
  };
  try {
    await receive(db, req, userId, received);
    if (received.importId === undefined) {
      throw errors.validation([{ path: "body.file", message: "is required" }]);
    }
    // An upload naming its account is checked for it first; one without is for the account the
    // file names, when exactly one open account has its IBAN.
    const given =
      received.accountId === undefined ? undefined : await requireAccount(db, received.accountId);
    if (received.size === 0) throw new ImportFileError("the file is empty");
    const inspection = await inspect(received.sample, received.size <= received.sample.length);
    const account =
      given ?? (await requireAccount(db, await accountNamedBy(db, inspection.statementAccount)));
    const { rowCount, encoding, prepared } = await readOnce(
      db,
      received.importId,
      inspection,
      account.currency,
    );
    await db.query(
      `update imports set account_id = $2, format = $3, encoding = $4, size = $5, row_count = $6,
         preview = $7, suggested_mapping = $8, prepared = $9, statement_account = $10,
         status = 'uploaded', updated_at = now()
       where id = $1`,
      [
        received.importId,
        account.id,
        inspection.format,
        encoding,
        received.size,
        rowCount,
        JSON.stringify(inspection.preview),
        inspection.suggestedMapping === null ? null : JSON.stringify(inspection.suggestedMapping),
        prepared === undefined ? null : JSON.stringify(prepared),
        inspection.statementAccount?.slice(0, 100) ?? null,
      ],
    );
    const row = await findImport(db, received.importId);
    if (row === undefined) throw errors.notFound("the import");
    return {
      ...presentImport(row),
      preview: inspection.preview,
      suggestedMapping: inspection.suggestedMapping,
      statementAccount: await statementAccountOf(db, inspection.statementAccount),
    };
  } catch (error) {
    const importId = received.importId;
    if (importId !== undefined) await db.query("delete from imports where id = $1", [importId]);
    if (error instanceof ImportFileError) throw fileProblem(error);
    throw error;
  }
}
