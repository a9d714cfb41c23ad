import type pg from "pg";
import type { ImportJson } from "./schema.ts";

/** The size of one stored piece of an uploaded file. */
export const CHUNK_BYTES = 1024 * 1024;

/** Streams an uploaded file back out of PostgreSQL, one chunk (1 MB) at a time. */
export async function* storedChunks(db: pg.Pool, importId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const { rows } = await db.query<{ data: Buffer }>(
      "select data from import_chunks where import_id = $1 and seq = $2",
      [importId, seq],
    );
    const chunk = rows[0];
    if (chunk === undefined) return;
    yield chunk.data;
  }
}

/** The columns an import is read with, ready for present(). */
export const IMPORT_COLUMNS = `id::text, account_id::text, filename, format, encoding, size::int,
  row_count, status, processed, imported, duplicates, error, created_at, committed_at`;

/** An imports row as selected with IMPORT_COLUMNS. */
export interface ImportRow {
  id: string;
  account_id: string | null;
  filename: string;
  format: ImportJson["format"];
  encoding: string;
  size: number;
  row_count: number;
  status: ImportJson["status"];
  processed: number;
  imported: number;
  duplicates: number;
  error: string | null;
  created_at: Date;
  committed_at: Date | null;
}

/** An imports row as the API shows it. */
export function presentImport(row: ImportRow): ImportJson {
  return {
    id: row.id,
    accountId: row.account_id,
    filename: row.filename,
    format: row.format,
    encoding: row.encoding,
    size: row.size,
    rowCount: row.row_count,
    status: row.status,
    processed: row.processed,
    imported: row.imported,
    duplicates: row.duplicates,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    committedAt: row.committed_at?.toISOString() ?? null,
  };
}

/** Reads one import; undefined when there is none. */
export async function findImport(
  db: pg.Pool | pg.PoolClient,
  id: string,
): Promise<ImportRow | undefined> {
  const { rows } = await db.query<ImportRow>(
    `select ${IMPORT_COLUMNS} from imports where id = $1`,
    [id],
  );
  return rows[0];
}
