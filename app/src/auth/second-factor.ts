import type { AuthContext } from "./context.ts";
import { hashRecoveryCode, looksLikeRecoveryCode, matchTotp, openTotpSecret } from "./totp.ts";
import type { UserRow } from "./users.ts";

/**
 * Checks a second factor: a 6-digit TOTP code from a step later than the last one used, or an
 * unused recovery code. Both are consumed by one conditional UPDATE, so a code replayed in
 * parallel is accepted once.
 */
export async function checkSecondFactor(
  ctx: AuthContext,
  user: UserRow,
  code: string,
): Promise<boolean> {
  if (/^\d{6}$/.test(code)) {
    const secret =
      user.totpSecret === null ? undefined : openTotpSecret(ctx.totpKey, user.totpSecret);
    if (secret === undefined) return false;
    const step = matchTotp(secret, code, ctx.now(), user.totpLastStep);
    if (step === undefined) return false;
    const { rowCount } = await ctx.db.query(
      `update users set totp_last_step = $2
        where id = $1 and (totp_last_step is null or totp_last_step < $2)`,
      [user.id, step],
    );
    return rowCount === 1;
  }
  if (!looksLikeRecoveryCode(code)) return false;
  const { rowCount } = await ctx.db.query(
    `update recovery_codes set used_at = $3
      where user_id = $1 and code_hash = $2 and used_at is null`,
    [user.id, hashRecoveryCode(code), new Date(ctx.now())],
  );
  return rowCount !== null && rowCount > 0;
}
