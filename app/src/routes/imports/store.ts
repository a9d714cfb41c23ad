import type pg from "pg";
import type { ImportJson } from "./schema.ts";

/** The size of one stored piece of an uploaded file. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * What an import stores: the uploaded file, and the staging lines its upload prepared from it
 * (see PreparedLines).
 */
export type Stored = "file" | "prepared";

const TABLES: Record<Stored, string> = {
  file: "import_chunks",
  prepared: "import_prepared_chunks",
};

/** Streams a stored file or its prepared lines back out of PostgreSQL, one chunk at a time. */
export async function* storedChunks(
  db: pg.Pool,
  importId: string,
  stored: Stored,
): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const { rows } = await db.query<{ data: Buffer }>(
      `select data from ${TABLES[stored]} where import_id = $1 and seq = $2`,
      [importId, seq],
    );
    const chunk = rows[0];
    if (chunk === undefined) return;
    yield chunk.data;
  }
}

/**
 * The upload reads the file once, with the suggested mapping and the account's currency, into
 * the commit's staging lines, and keeps them: a commit under the same mapping and currency
 * copies them instead of reading the file a second time.
 */
export interface PreparedLines {
  rows: number;
  withBankIds: boolean;
  currency: string;
}

/**
 * Stores an import's prepared lines in chunks of about CHUNK_BYTES as they are written. A chunk
 * is stored while the next one is being prepared (PostgreSQL and the parse each have a core);
 * a failed insert is thrown by the next write or by flush().
 */
export class PreparedLinesWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private seq = 0;
  private storing: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;
  private readonly db: pg.Pool;
  private readonly importId: string;

  constructor(db: pg.Pool, importId: string) {
    this.db = db;
    this.importId = importId;
  }

  async write(text: string): Promise<void> {
    const bytes = Buffer.from(text);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= CHUNK_BYTES) await this.store();
  }

  /** Stores what is pending and waits until every chunk is stored. */
  async flush(): Promise<void> {
    await this.store();
    await this.storing;
    this.throwFailure();
  }

  // Waits for the chunk being stored (one at a time, so memory holds two at most), then starts
  // storing the pending one without waiting for it.
  private async store(): Promise<void> {
    await this.storing;
    this.throwFailure();
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.storing = this.db
      .query("insert into import_prepared_chunks (import_id, seq, data) values ($1, $2, $3)", [
        this.importId,
        this.seq,
        data,
      ])
      .catch((error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      });
    this.seq += 1;
  }

  private throwFailure(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Deletes the lines an upload prepared (they no longer apply, or the import is done). */
export async function deletePreparedLines(
  db: pg.Pool | pg.PoolClient,
  importId: string,
): Promise<void> {
  await db.query("delete from import_prepared_chunks where import_id = $1", [importId]);
}

/** Deletes what an import stores (its file and prepared lines): its rows now hold the data. */
export async function deleteStoredFile(
  db: pg.Pool | pg.PoolClient,
  importId: string,
): Promise<void> {
  await db.query("delete from import_chunks where import_id = $1", [importId]);
  await deletePreparedLines(db, importId);
}

/** The columns an import is read with, ready for present(). */
export const IMPORT_COLUMNS = `id::text, account_id::text, filename, format, encoding, size::int,
  row_count, status, processed, imported, duplicates, error, created_at, committed_at,
  statement_account`;

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
  /** The account the file names (MT940 :25:, CAMT.053 Acct/Id, OFX ACCTID), as it has it. */
  statement_account: string | null;
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
