import type pg from "pg";

/**
 * What the audit log records as the kind of a change, beyond plain create/update/delete;
 * "import_undo" marks the deletes of undoing an import.
 */
export type AuditAction = "import" | "import_undo" | "reconcile" | "unlock" | "rule" | "recurring";

/**
 * Tells the audit triggers who is writing in the current SQL transaction (and, with `action`,
 * what kind of change follows). Both settings are transaction-local (`set_config(..., true)`),
 * so they vanish at commit or rollback and a pooled connection never carries them over.
 */
export async function setAuditContext(
  client: pg.PoolClient,
  context: { actor?: string | null | undefined; action?: AuditAction | null | undefined },
): Promise<void> {
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
