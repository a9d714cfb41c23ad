import type pg from "pg";

/** How long an upload may stay 'uploading' before its process is taken for dead. */
export const UPLOADING_TIMEOUT_HOURS = 1;
/** How long an uploaded file is kept waiting for its commit. */
export const UPLOADED_KEPT_DAYS = 7;

/** What an expired import shows, and what committing it answers. */
export const EXPIRED_MESSAGE = `the file was not committed within ${UPLOADED_KEPT_DAYS} days and was deleted; upload the file again`;

/** What one cleanup pass removed. */
export interface CleanupResult {
  /** Uploads deleted with their chunks: still 'uploading' after UPLOADING_TIMEOUT_HOURS. */
  deleted: number;
  /** Imports whose chunks were deleted and that are now 'expired'. */
  expired: number;
}

/**
 * Frees the stored files nobody will commit: an import still 'uploading' an hour after it began
 * (the process streaming it died) is deleted, its chunks with it; an 'uploaded' import untouched
 * for 7 days (since the upload or its last failed commit) loses its chunks and becomes
 * 'expired'. `now` is the clock to measure against (the database's when not given).
 *
 * One statement, safe on every replica at once: rows another transaction holds (a commit
 * claiming the import, another replica's cleanup) are skipped rather than waited for, and the
 * chunks deleted are exactly those of the rows this statement expired.
 */
export async function cleanUpImports(db: pg.Pool, now?: Date): Promise<CleanupResult> {
  const { rows } = await db.query<{ deleted: number; expired: number }>(
    `with clock as (select coalesce($1::timestamptz, now()) as now),
     stale as (
       select id from imports, clock
       where status = 'uploading'
         and updated_at < clock.now - make_interval(hours => ${UPLOADING_TIMEOUT_HOURS})
       for update of imports skip locked
     ),
     waiting as (
       select id from imports, clock
       where status = 'uploaded'
         and updated_at < clock.now - make_interval(days => ${UPLOADED_KEPT_DAYS})
       for update of imports skip locked
     ),
     deleted as (delete from imports where id in (select id from stale) returning id),
     expired as (
       update imports set status = 'expired', error = $2, updated_at = now()
       where id in (select id from waiting) returning id
     ),
     -- Run although nothing reads them: every data-modifying WITH runs exactly once.
     freed as (delete from import_chunks where import_id in (select id from expired)),
     freed_prepared as (
       delete from import_prepared_chunks where import_id in (select id from expired)
     )
     select (select count(*)::int from deleted) as deleted,
       (select count(*)::int from expired) as expired`,
    [now ?? null, EXPIRED_MESSAGE],
  );
  return { deleted: rows[0]?.deleted ?? 0, expired: rows[0]?.expired ?? 0 };
}
