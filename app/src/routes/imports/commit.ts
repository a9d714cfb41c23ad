import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { AppError, errors } from "../../errors.ts";
import { type Mapping, MappingSchema } from "../../imports/csv-mapping.ts";
import { decodeChunks, type TextEncoding } from "../../imports/encoding.ts";
import { readRowBatches } from "../../imports/read.ts";
import { ImportFileError, type ImportFormat, type RowProblem } from "../../imports/types.ts";
import { allowLongWork } from "../../db/pool.ts";
import { withAuditedTransaction } from "../../write-model/audit-context.ts";
import { applyRulesToTransactions } from "../../write-model/rules-on-write.ts";
import type { CommitResult } from "./schema.ts";
import { chooseLookup, classifySql } from "./classify.ts";
import { lockCommit } from "./stalled.ts";
import {
  MAX_REPORTED,
  noTotals,
  STAGING_COLUMNS,
  type StagedTotals,
  stagingLines,
} from "./staging.ts";
import { deleteStoredFile, type PreparedLines, storedChunks } from "./store.ts";
import { fileProblem } from "./upload.ts";

/**
 * Refreshes the planner's statistics of transactions after an import that changed them much
 * (autovacuum's own rule: a tenth of the table), now rather than when autovacuum next wakes:
 * until then the next import, and the register, are planned for the table before this one.
 */
async function analyzeAfterLargeImport(client: pg.PoolClient, imported: number): Promise<void> {
  if (imported < 10_000) return;
  const { rows } = await client.query<{ rows: number }>(
    "select reltuples::float8 as rows from pg_class where oid = 'transactions'::regclass",
  );
  if (imported >= 0.1 * Math.max(rows[0]?.rows ?? 0, 0)) await client.query("analyze transactions");
}

/**
 * How many days apart a transaction entered by hand and its imported twin may be booked: a card
 * payment typed in on the day reaches the bank's statement a day or two later (weekends: three).
 */
export const TWIN_DAYS = 3;

// Day offsets from an imported row to its hand-entered twin, nearest first; at equal distance a
// hand-entered date before the bank's wins, since banks book after the purchase, not before.
const TWIN_OFFSETS = [0, ...Array.from({ length: TWIN_DAYS }, (_, i) => [-(i + 1), i + 1]).flat()];

// The transactions that may be a twin: entered by hand (no import, no fingerprint), in the
// imported dates' range widened by TWIN_DAYS, with an amount the file has. Bills fintrack posted
// itself are left to absorbDuplicates, which replaces them with the bank's booking.
const COLLECT_MANUAL = `
create temp table import_manual on commit drop as
select t.id, t.booking_date, t.amount from transactions t
where t.account_id = $1 and t.import_id is null and t.import_fingerprint is null
  and t.booking_date between (select min(booking_date) - ${TWIN_DAYS} from import_classified)
    and (select max(booking_date) + ${TWIN_DAYS} from import_classified)
  and t.amount in (select amount from import_classified where duplicate is null)
  and not exists (select 1 from recurring_occurrences o where o.transaction_id = t.id and o.created)`;

// One pass of twin matching at one day offset: new rows and hand-entered transactions with that
// date difference and the same amount are paired one to one in order, and the paired
// transactions leave import_manual so a later, farther pass cannot take them again.
const MATCH_MANUAL = `
with candidates as (
  select c.seq, c.booking_date + $1::int as booking_date, c.amount,
    row_number() over (partition by c.booking_date, c.amount order by c.seq) as rn
  from import_classified c
  where c.duplicate is null and c.amount in (select amount from import_manual)
), manual as (
  select m.id, m.booking_date, m.amount,
    row_number() over (partition by m.booking_date, m.amount order by m.id) as rn
  from import_manual m
), matched as (
  update import_classified c set duplicate = 'matched', matched_id = m.id
  from candidates k join manual m using (booking_date, amount, rn)
  where c.seq = k.seq
  returning c.matched_id
)
delete from import_manual where id in (select matched_id from matched)`;

const CLAIM_MANUAL = `
update transactions t set import_fingerprint = c.fingerprint,
  external_id = coalesce(t.external_id, c.external_id), updated_at = now()
from import_classified c where c.matched_id = t.id`;

const INSERT_ROWS = `
insert into transactions (account_id, booking_date, amount, currency, payee, description,
  created_by, import_id, external_id, import_fingerprint)
select $1, booking_date, amount, $2, payee, description, $3, $4, external_id, fingerprint
from import_classified where duplicate is null and splits is null
order by seq`;

async function insertSplitRows(client: pg.PoolClient, params: unknown[]): Promise<void> {
  const { rows } = await client.query<{ seq: number; splits: { amount: string; memo: string }[] }>(
    "select seq, splits from import_classified where duplicate is null and splits is not null order by seq",
  );
  for (const row of rows) {
    const inserted = await client.query<{ id: string }>(
      `insert into transactions (account_id, booking_date, amount, currency, payee, description,
         created_by, import_id, external_id, import_fingerprint)
       select $1, booking_date, amount, $2, payee, description, $3, $4, external_id, fingerprint
       from import_classified where seq = $5 returning id::text`,
      [...params, row.seq],
    );
    await client.query(
      `insert into transaction_splits (transaction_id, position, amount, memo)
       select $1, (u.ord - 1)::int, u.amount, u.memo
       from rows from (jsonb_to_recordset($2::jsonb) as (amount bigint, memo text))
         with ordinality as u (amount, memo, ord)`,
      [inserted.rows[0]?.id, JSON.stringify(row.splits)],
    );
  }
}

/**
 * Pairs new rows with their hand-entered twins, nearest date first (see TWIN_DAYS), in
 * import_classified only: whether there were any to look at. The commit then has them claimed
 * (CLAIM_MANUAL); a preview does not.
 */
async function matchManualTwins(client: pg.PoolClient, accountId: string): Promise<boolean> {
  const collected = await client.query(COLLECT_MANUAL, [accountId]);
  if ((collected.rowCount ?? 0) === 0) return false;
  for (const offset of TWIN_OFFSETS) await client.query(MATCH_MANUAL, [offset]);
  return true;
}

const ID_BATCH = 10_000;

/**
 * The ids of an import's transactions, 10,000 at a time (a million ids at once would be most of
 * the app's memory). Yields nothing when `needed` finds nothing to do with them: no enabled rule,
 * or no occurrence fintrack posted itself, which is the common case and costs one query.
 */
export async function* importedIdBatches(
  db: pg.Pool | pg.PoolClient,
  importId: string,
  needed: "rules" | "recurring",
): AsyncGenerator<string[]> {
  const check =
    needed === "rules"
      ? "select exists (select 1 from rules where enabled) as any"
      : "select exists (select 1 from recurring_occurrences where created) as any";
  const { rows: found } = await db.query<{ any: boolean }>(check);
  if (found[0]?.any !== true) return;
  let after = "0";
  for (;;) {
    const { rows } = await db.query<{ id: string }>(
      `select id::text from transactions where import_id = $1 and id > $2
       order by transactions.id limit ${String(ID_BATCH)}`,
      [importId, after],
    );
    const last = rows.at(-1);
    if (last === undefined) return;
    yield rows.map((r) => r.id);
    after = last.id;
  }
}

/** What a commit needs to know about the import. */
export interface CommitPlan {
  importId: string;
  accountId: string;
  format: ImportFormat;
  encoding: TextEncoding;
  mapping: Mapping | undefined;
  userId: string;
  /** The staging lines the upload prepared, when they were read with this same mapping. */
  prepared: PreparedLines | undefined;
}

/** The refusal of a file with bad rows: 422 listing each by line (and column, for CSV). */
function rowsRefused(problems: RowProblem[], count: number): AppError {
  return new AppError(
    422,
    "import_rows_invalid",
    `${count} row(s) cannot be imported; nothing was written`,
    {
      errors: problems.map((p) => ({
        path: p.column === undefined ? `line ${p.line}` : `line ${p.line}, ${p.column}`,
        line: p.line,
        ...(p.column === undefined ? {} : { column: p.column }),
        message: p.message,
      })),
    },
  );
}

/** How many of the file's rows are new, and how many are duplicates, as classified so far. */
export async function classifiedCounts(
  client: pg.PoolClient,
): Promise<{ imported: number; duplicates: number }> {
  const { rows } = await client.query<{ imported: number; duplicates: number }>(
    `select count(*) filter (where duplicate is null)::int as imported,
       count(*) filter (where duplicate is not null)::int as duplicates from import_classified`,
  );
  return { imported: rows[0]?.imported ?? 0, duplicates: rows[0]?.duplicates ?? 0 };
}

/**
 * Marks the import committed with its counts, drops its stored file and remembers the mapping
 * as the account's profile.
 */
async function recordCommitted(
  client: pg.PoolClient,
  plan: CommitPlan,
  counts: { imported: number; duplicates: number; processed: number },
): Promise<void> {
  await client.query(
    `update imports set status = 'committed', imported = $2, duplicates = $3, processed = $4,
       mapping = $5, committed_at = now(), updated_at = now() where id = $1`,
    [
      plan.importId,
      counts.imported,
      counts.duplicates,
      counts.processed,
      plan.mapping ? JSON.stringify(plan.mapping) : null,
    ],
  );
  // The file has served its purpose: undo and the import's listing need only the transactions
  // and this row. Keeping it would store every bank file twice, forever.
  await deleteStoredFile(client, plan.importId);
  if (plan.mapping) {
    await client.query(
      `insert into import_profiles (account_id, mapping) values ($1, $2)
       on conflict (account_id) where name is null do update set mapping = excluded.mapping, updated_at = now()`,
      [plan.accountId, JSON.stringify(plan.mapping)],
    );
  }
}

/**
 * COPYs the file's rows into the staging table: the lines the upload prepared when they still
 * apply (same mapping, same account currency), else read from the stored file as it streams.
 */
async function fillStaging(
  db: pg.Pool,
  client: pg.PoolClient,
  plan: CommitPlan,
  currency: string,
  report: boolean,
): Promise<StagedTotals> {
  const copy = () => client.query(copyFrom("copy import_staging from stdin"));
  const prepared = plan.prepared;
  if (prepared?.currency === currency) {
    // One chunk read ahead, not the 16 an object stream buffers by default: 16 MB in flight.
    const chunks = Readable.from(storedChunks(db, plan.importId, "prepared"), { highWaterMark: 1 });
    await pipeline(chunks, copy());
    if (report) {
      await db.query("update imports set processed = $2 where id = $1", [
        plan.importId,
        prepared.rows,
      ]);
    }
    return { ...noTotals(), rows: prepared.rows, withBankIds: prepared.withBankIds };
  }
  const totals = noTotals();
  const progress = (rows: number) => {
    if (!report) return;
    void db
      .query("update imports set processed = $2 where id = $1", [plan.importId, rows])
      .catch(() => undefined);
  };
  const items = readRowBatches(
    plan.format,
    decodeChunks(storedChunks(db, plan.importId, "file"), plan.encoding),
    plan.mapping,
  );
  try {
    await pipeline(Readable.from(stagingLines(items, currency, totals, progress)), copy());
  } catch (error) {
    if (error instanceof ImportFileError) throw fileProblem(error);
    throw error;
  }
  return totals;
}

/**
 * Refuses a file with new rows dated after the day the account closed, each named by its line
 * (rows already imported before are duplicates and write nothing, whatever their date).
 */
async function refuseRowsAfterClose(client: pg.PoolClient, closedOn: string): Promise<void> {
  const { rows } = await client.query<{ line: number; count: number }>(
    `select line, count(*) over ()::int as count from import_classified
     where duplicate is null and booking_date > $1::date order by seq limit ${MAX_REPORTED}`,
    [closedOn],
  );
  const message = `is dated after ${closedOn}, the day the account closed`;
  const first = rows[0];
  if (first !== undefined) {
    throw rowsRefused(
      rows.map((r) => ({ line: r.line, message })),
      first.count,
    );
  }
}

/** What stageAndClassify found: the account's currency, the staged totals, and whether any row is new. */
export interface Classified {
  currency: string;
  totals: StagedTotals;
  /** Whether hand-entered twins were looked for (and so may have to be claimed). */
  twins: boolean;
  anyNew: boolean;
}

/**
 * The steps a commit and a preview share, so the two cannot disagree: reads the file into the
 * temporary import_staging table and classifies each row into import_classified (duplicate by
 * bank id, by fingerprint, or a hand-entered twin: `matched`; null for new). Writes nothing but
 * temporary tables, and, for a commit, the import's progress. Refuses a file with bad rows (422).
 * A commit locks the account against a concurrent change of its currency; a preview only reads.
 */
export async function stageAndClassify(
  db: pg.Pool,
  client: pg.PoolClient,
  plan: CommitPlan,
  purpose: "commit" | "preview",
): Promise<Classified> {
  // The classification sorts the whole file (by fingerprint, and by bank id): in memory, not
  // in temporary files, for files of a few hundred thousand rows.
  await client.query("set local work_mem = '64MB'");
  // Compiling these one-off statements costs more than it saves (50-130 ms measured).
  await client.query("set local jit = off");
  const { rows: accounts } = await client.query<{ currency: string; closed_on: string | null }>(
    `select currency, to_char(closed_on, 'YYYY-MM-DD') as closed_on from accounts
     where id = $1${purpose === "commit" ? " for no key update" : ""}`,
    [plan.accountId],
  );
  const currency = accounts[0]?.currency;
  if (currency === undefined) throw errors.notFound("the account");
  const closedOn = accounts[0]?.closed_on ?? null;
  // seq numbers the rows: lines are not unique (a CAMT file may be one line, a batch entry
  // several rows), and the matching and split steps must tell rows apart.
  await client.query(`create temp table import_staging (${STAGING_COLUMNS}) on commit drop`);
  const totals = await fillStaging(db, client, plan, currency, purpose === "commit");
  if (totals.problemCount > 0) throw rowsRefused(totals.problems, totals.problemCount);
  const lookup = await chooseLookup(client, plan.accountId, totals.rows);
  // The staging table's statistics are for the planner's choices: probing has none to make.
  if (lookup === "hash") await client.query("analyze import_staging");
  await client.query(classifySql(totals.withBankIds, lookup), [plan.accountId]);
  if (closedOn !== null) await refuseRowsAfterClose(client, closedOn);
  // A statement imported again has nothing new: no twin to look for, nothing to insert.
  if ((await classifiedCounts(client)).imported === 0) {
    return { currency, totals, twins: false, anyNew: false };
  }
  // Twin matching and the insert join the file's rows to others: planned with statistics.
  await client.query("analyze import_classified");
  const twins = await matchManualTwins(client, plan.accountId);
  return { currency, totals, twins, anyNew: true };
}

/**
 * Commits an import in one transaction: the stored file is parsed as it streams, COPYed into a
 * staging table, classified against the account's transactions in set-based statements, and the
 * new rows inserted with one INSERT ... SELECT. Any bad row rolls everything back; so does a
 * crash, since nothing is written outside this one transaction.
 */
export async function commitRows(db: pg.Pool, plan: CommitPlan): Promise<CommitResult> {
  return withAuditedTransaction(db, { actor: plan.userId, action: "import" }, async (client) => {
    // Held until this transaction ends, however it ends (a crash closes the connection): while
    // it is held the import's 'committing' status is live, and recoverStalledCommit leaves it be.
    await lockCommit(client, plan.importId);
    // One COPY of a large file and the set-based steps after it outlast the pool's limits.
    await allowLongWork(client);
    const { currency, totals, twins, anyNew } = await stageAndClassify(db, client, plan, "commit");
    if (anyNew) {
      if (twins) await client.query(CLAIM_MANUAL);
      const params = [plan.accountId, currency, plan.userId, plan.importId];
      await client.query(INSERT_ROWS, params);
      await insertSplitRows(client, params);
      // The household's rules run on the imported rows inside this transaction, as on
      // hand-entered ones: an import that rules cannot process is not committed.
      for await (const ids of importedIdBatches(client, plan.importId, "rules")) {
        await applyRulesToTransactions(client, ids);
      }
    }
    const { rows: skipped } = await client.query<{
      line: number;
      duplicate: "bank_id" | "fingerprint" | "matched";
      matched_id: string | null;
    }>(
      `select line, duplicate, matched_id::text from import_classified
       where duplicate is not null order by seq limit ${MAX_REPORTED}`,
    );
    // Counted again: twins matched by hand-entered transactions are duplicates too.
    const { imported, duplicates } = await classifiedCounts(client);
    await recordCommitted(client, plan, { imported, duplicates, processed: totals.rows });
    await analyzeAfterLargeImport(client, imported);
    return {
      imported,
      duplicates,
      errors: [],
      skipped: skipped.map((s) => ({
        line: s.line,
        reason: s.duplicate,
        transactionId: s.matched_id,
      })),
    };
  });
}

/** The mapping a commit uses: the given one, else the suggested one; CSV needs one. */
export function chooseMapping(
  format: ImportFormat,
  given: Mapping | undefined,
  suggested: unknown,
): Mapping | undefined {
  if (format !== "csv") return undefined;
  if (given) return given;
  const parsed = MappingSchema.safeParse(suggested);
  if (!parsed.success) {
    throw errors.validation([
      { path: "body.mapping", message: "is required: no mapping could be suggested for this file" },
    ]);
  }
  return parsed.data;
}

/**
 * Whether a commit reads the file as its upload did, so that the staging lines the upload
 * prepared apply: with the suggested mapping, or with none (every format but CSV).
 */
export function readWithSuggestion(mapping: Mapping | undefined, suggested: unknown): boolean {
  if (mapping === undefined) return true;
  const parsed = MappingSchema.safeParse(suggested);
  // Both through the schema: the same keys in the same order, defaults filled in.
  return (
    parsed.success && JSON.stringify(parsed.data) === JSON.stringify(MappingSchema.parse(mapping))
  );
}
