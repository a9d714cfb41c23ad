import type pg from "pg";

/**
 * What the audit log records of the household's accounts. Triggers cannot write these: the users
 * table holds password hashes and TOTP secrets, which must never be copied into a log every
 * member may read, so the services that change accounts record them here instead.
 */
export type AccountAuditAction = "role_change" | "password_reset" | "user_remove";

/** One change to a user's account, by `actorId`, with the visible state before and after. */
export interface AccountAuditEntry {
  actorId: string;
  action: AccountAuditAction;
  userId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * Appends an account change to the audit log on `client`, inside the caller's transaction, so
 * the change and its record commit or roll back together.
 */
export async function recordAccountChange(
  client: pg.PoolClient,
  entry: AccountAuditEntry,
): Promise<void> {
  await client.query(
    `insert into audit_log (actor_id, action, entity, entity_id, before, after)
     values ($1, $2, 'user', $3, $4, $5)`,
    [entry.actorId, entry.action, entry.userId, entry.before, entry.after],
  );
}
