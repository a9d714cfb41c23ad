import { createHash } from "node:crypto";
import type pg from "pg";
import { withTransaction } from "../../db/transaction.ts";

// The advisory lock of an import's commit is the pair (this namespace, the import id): the
// two-key form, so it cannot meet the one-key locks of migrations, registration and the seed.
const lockNamespace = createHash("sha256").update("fintrack:import-commit").digest().readInt32BE(0);
// Ids beyond int4 wrap around; two imports sharing a lock only delay a recovery, never allow one.
const lockKey = "($2::bigint % 2147483648)::int";

/**
 * How long a commit may show 'committing' before a missing lock means it died. A live commit
 * takes its lock within a pool checkout (2 s at most) of claiming the import; the margin is wide.
 */
export const STALLED_AFTER_MINUTES = 2;

/** What an import shows once a commit that died mid-way was found and released. */
export const STALLED_MESSAGE =
  "the last commit was interrupted (the server stopped while it ran) and nothing of it was booked; commit the import again";

/** Takes the import's commit lock for the rest of `client`'s transaction. */
export async function lockCommit(client: pg.ClientBase, importId: string): Promise<void> {
  await client.query(`select pg_advisory_xact_lock($1::int, ${lockKey})`, [
    lockNamespace,
    importId,
  ]);
}

/**
 * Releases an import stuck in 'committing' because the process committing it died: when the
 * commit began over STALLED_AFTER_MINUTES ago and no transaction holds its lock, the import goes
 * back to 'uploaded' with STALLED_MESSAGE. Its rows were never written: the commit is one
 * transaction, rolled back with its connection. Returns whether it released the import.
 */
export async function recoverStalledCommit(db: pg.Pool, importId: string): Promise<boolean> {
  return withTransaction(db, async (client) => {
    // The row lock waits out a commit that is just writing its final status.
    const { rows } = await client.query<{ stalled: boolean }>(
      `select status = 'committing'
         and updated_at < now() - make_interval(mins => ${STALLED_AFTER_MINUTES}) as stalled
       from imports where id = $1 for update`,
      [importId],
    );
    if (rows[0]?.stalled !== true) return false;
    const { rows: lock } = await client.query<{ free: boolean }>(
      `select pg_try_advisory_xact_lock($1::int, ${lockKey}) as free`,
      [lockNamespace, importId],
    );
    if (lock[0]?.free !== true) return false;
    await client.query(
      `update imports set status = 'uploaded', processed = 0, error = $2, updated_at = now()
       where id = $1`,
      [importId, STALLED_MESSAGE],
    );
    return true;
  });
}
