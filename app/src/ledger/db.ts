import type pg from "pg";

/**
 * Runs `work` inside one SQL transaction on one pooled connection: committed when it returns,
 * rolled back when it throws. A failed rollback means a broken connection, which is discarded.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    const result = await work(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

function pgCode(error: unknown): { code: string; constraint: string | undefined } | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const constraint =
    "constraint" in error && typeof error.constraint === "string" ? error.constraint : undefined;
  return { code: String(error.code), constraint };
}

/** Whether `error` is PostgreSQL's unique violation, of `constraint` when given. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const found = pgCode(error);
  return found?.code === "23505" && (constraint === undefined || found.constraint === constraint);
}

/** Whether `error` is PostgreSQL's foreign key violation (a referenced row vanished meanwhile). */
export function isForeignKeyViolation(error: unknown): boolean {
  return pgCode(error)?.code === "23503";
}
