import type pg from "pg";
import { withTransaction } from "../db/transaction.ts";

/**
 * What the audit log records as the kind of a change, beyond plain create/update/delete;
 * "import_undo" marks the deletes of undoing an import.
 */
export type AuditAction = "import" | "import_undo" | "reconcile" | "unlock" | "rule" | "recurring";

/**
 * Who writes in a transaction (undefined or null: nobody, as when a job posts on its own) and,
 * when set, the kind of change every write in it is recorded as.
 */
export interface AuditContext {
  actor: string | null | undefined;
  action?: AuditAction | undefined;
}

/**
 * Runs `work` in one SQL transaction of withTransaction, with the audit triggers told who
 * writes in it (and, with `action`, as what) before `work` starts. This is the one way a
 * service opens a transaction that writes audited tables: a write cannot go unattributed
 * because someone forgot the second step. The Idempotency-Key hook withTransaction runs still
 * comes first, exactly as it does for a bare withTransaction.
 */
export async function withAuditedTransaction<T>(
  db: pg.Pool,
  context: AuditContext,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withTransaction(db, async (client) => {
    await setAuditContext(client, context);
    return work(client);
  });
}

/**
 * Tells the audit triggers who is writing in the current SQL transaction (and, with `action`,
 * what kind of change follows). Both settings are transaction-local (`set_config(..., true)`),
 * so they vanish at commit or rollback and a pooled connection never carries them over.
 */
async function setAuditContext(client: pg.PoolClient, context: AuditContext): Promise<void> {
  await client.query(
    `select set_config('fintrack.actor', coalesce($1::text, current_setting('fintrack.actor', true), ''), true),
       set_config('fintrack.action', $2::text, true)`,
    [context.actor ?? null, context.action ?? ""],
  );
}

/**
 * Runs `work` with the audit action set to `action`, then restores the plain actions: writes
 * after it in the same SQL transaction are recorded as what they are again.
 */
export async function withAuditAction<T>(
  client: pg.PoolClient,
  action: AuditAction,
  work: () => Promise<T>,
): Promise<T> {
  const { rows } = await client.query<{ previous: string | null }>(
    "select current_setting('fintrack.action', true) as previous",
  );
  await client.query("select set_config('fintrack.action', $1, true)", [action]);
  // On failure the SQL transaction is aborted and rolls back, settings included: no restore.
  const result = await work();
  await client.query("select set_config('fintrack.action', $1, true)", [rows[0]?.previous ?? ""]);
  return result;
}
