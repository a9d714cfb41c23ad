import type { AuthContext } from "./context.ts";
import type pg from "pg";
import { withTransaction } from "../db/transaction.ts";
import { hashPassword } from "./passwords.ts";

/** What replacing a password ended besides the password itself. */
export interface PasswordReplaced {
  /** False when no user has the id: nothing was changed. */
  found: boolean;
  tokensRevoked: number;
}

/**
 * Sets `userId`'s password and ends what the old one let in: every session (the caller may start
 * a fresh one for the browser that asked) and, unless the deployment keeps them, every personal
 * access token. A password changes because it may be known to someone else, and a token minted
 * by whoever knew it would otherwise outlive the change. The password and the tokens change in
 * one transaction, so no token survives a password it was minted under; `alongside` runs in it
 * too (the audit record of a reset).
 */
export async function replacePassword(
  ctx: AuthContext,
  userId: string,
  password: string,
  alongside?: (client: pg.PoolClient) => Promise<void>,
): Promise<PasswordReplaced> {
  const hash = await hashPassword(password);
  const tokensRevoked = await withTransaction(ctx.db, async (client) => {
    const { rowCount } = await client.query(
      `update users set password_hash = $2, password_changed_at = $3, updated_at = $3
        where id = $1`,
      [userId, hash, new Date(ctx.now())],
    );
    if (rowCount !== 1) return undefined;
    await alongside?.(client);
    if (!ctx.passwordChangeRevokesTokens) return 0;
    const revoked = await client.query("delete from api_tokens where user_id = $1", [userId]);
    return revoked.rowCount ?? 0;
  });
  if (tokensRevoked === undefined) return { found: false, tokensRevoked: 0 };
  await ctx.sessions.deleteForUser(userId);
  return { found: true, tokensRevoked };
}
