import type { AuthContext } from "../../auth/context.ts";
import { errors } from "../../errors.ts";
import { replacePassword } from "../../auth/credentials.ts";
import { chargeAttempt, sessionBudget, settleSuccess } from "../../auth/login-throttle.ts";
import { passwordProblem, verifyPassword } from "../../auth/passwords.ts";
import { publicIdOf, sessionExpiry } from "../../auth/sessions.ts";
import {
  hashRecoveryCode,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  openTotpSecret,
  otpauthUrl,
  sealTotpSecret,
} from "../../auth/totp.ts";
import type { UserRow } from "../../auth/users.ts";
import { checkSecondFactor } from "../../auth/second-factor.ts";

/**
 * Checks the signed-in user's password (and, when given, a second factor) before a sensitive
 * change, throttled on the session's own budget (see sessionBudget): a stolen session cannot
 * guess freely, and failed sign-ins from other clients never block the owner. The budget is
 * reset only once both are right. A wrong answer is a 422 on its field.
 */
export async function confirmPassword(
  ctx: AuthContext,
  user: UserRow,
  sessionId: string,
  password: string,
  field: string,
  secondFactor?: { code: string; field: string },
): Promise<void> {
  const budgets = [sessionBudget(ctx.loginPolicy, publicIdOf(sessionId))];
  await chargeAttempt(ctx, budgets);
  if (!(await verifyPassword(user.passwordHash, password)))
    throw errors.validation([{ path: field, message: "is wrong" }]);
  if (secondFactor !== undefined && !(await checkSecondFactor(ctx, user, secondFactor.code)))
    throw errors.validation([
      { path: secondFactor.field, message: "is wrong or was already used" },
    ]);
  await settleSuccess(ctx, budgets);
}

/**
 * Confirms the signed-in user is at the keyboard: their password, and a second factor when two-
 * factor sign-in is on (as signing in would ask). The caller starts a fresh session, whose birth
 * is the recent authentication account-security changes look for.
 */
export async function reauthenticate(
  ctx: AuthContext,
  user: UserRow,
  sessionId: string,
  password: string,
  totp: string | undefined,
): Promise<void> {
  if (user.totpEnabled && totp === undefined)
    throw errors.validation([
      { path: "body.totp", message: "is required: two-factor sign-in is on" },
    ]);
  const secondFactor = user.totpEnabled ? { code: totp ?? "", field: "body.totp" } : undefined;
  await confirmPassword(ctx, user, sessionId, password, "body.password", secondFactor);
  ctx.log.info({ userId: user.id }, "re-authenticated");
}

/** Changes the user's display name. */
export async function rename(ctx: AuthContext, userId: string, name: string): Promise<void> {
  await ctx.db.query("update users set name = $2, updated_at = $3 where id = $1", [
    userId,
    name,
    new Date(ctx.now()),
  ]);
}

/**
 * Sets a new password; every session of the user ends (the caller starts a fresh one for this
 * browser) and so do their tokens (see replacePassword).
 */
export async function changePassword(
  ctx: AuthContext,
  user: UserRow,
  sessionId: string,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  await confirmPassword(ctx, user, sessionId, currentPassword, "body.currentPassword");
  const problem = passwordProblem(newPassword, { email: user.email });
  if (problem !== undefined)
    throw errors.validation([{ path: "body.newPassword", message: problem }]);
  const { tokensRevoked } = await replacePassword(ctx, user.id, newPassword);
  ctx.log.info({ userId: user.id, tokensRevoked }, "password changed; sessions and tokens revoked");
}

/** The user's live sessions, most recently used first, marking the one asking. */
export async function listSessions(ctx: AuthContext, userId: string, currentId: string) {
  const now = ctx.now();
  const current = publicIdOf(currentId);
  const sessions = await ctx.sessions.listForUser(userId);
  return sessions
    .filter((s) => sessionExpiry(s, now, ctx.sessionPolicy) === undefined)
    .sort((a, b) => b.lastSeenAt - a.lastSeenAt)
    .map((s) => ({
      id: s.publicId,
      createdAt: new Date(s.createdAt).toISOString(),
      lastSeenAt: new Date(s.lastSeenAt).toISOString(),
      userAgent: s.userAgent,
      ip: s.ip,
      current: s.publicId === current,
    }));
}

/** Starts TOTP enrolment: a new pending secret, sealed at rest, shown once to scan. */
export async function beginTotp(ctx: AuthContext, user: UserRow) {
  if (user.totpEnabled) throw errors.conflict("two-factor sign-in is on; turn it off first");
  const secret = newTotpSecret();
  await ctx.db.query(
    "update users set totp_secret = $2, totp_last_step = null, updated_at = $3 where id = $1",
    [user.id, sealTotpSecret(ctx.totpKey, secret), new Date(ctx.now())],
  );
  return { secret, otpauthUrl: otpauthUrl(secret, user.email) };
}

/**
 * Completes enrolment once the user proves their app shows the right codes; answers ten new
 * recovery codes (only hashes are kept). The confirming code counts as used.
 */
export async function enableTotp(ctx: AuthContext, user: UserRow, code: string) {
  if (user.totpEnabled) throw errors.conflict("two-factor sign-in is already on");
  const secret =
    user.totpSecret === null ? undefined : openTotpSecret(ctx.totpKey, user.totpSecret);
  if (secret === undefined) throw errors.conflict("start with POST /api/v1/me/totp");
  const step = matchTotp(secret, code, ctx.now(), null);
  if (step === undefined) throw errors.validation([{ path: "body.code", message: "is wrong" }]);
  const codes = newRecoveryCodes(10);
  const client = await ctx.db.connect();
  try {
    await client.query("begin");
    const { rowCount } = await client.query(
      `update users set totp_enabled_at = $2, totp_last_step = $3, updated_at = $2
        where id = $1 and totp_enabled_at is null and totp_secret = $4`,
      [user.id, new Date(ctx.now()), step, user.totpSecret],
    );
    if (rowCount !== 1) throw errors.conflict("the enrolment changed meanwhile; start again");
    await client.query("delete from recovery_codes where user_id = $1", [user.id]);
    await client.query(
      "insert into recovery_codes (user_id, code_hash) select $1, unnest($2::text[])",
      [user.id, codes.map(hashRecoveryCode)],
    );
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
  ctx.log.info({ userId: user.id }, "two-factor sign-in enabled");
  return { recoveryCodes: codes };
}

/**
 * Turns two-factor sign-in off after the password and a current code (or an unused recovery
 * code) are confirmed; recovery codes go with it. The code is asked for because the password
 * alone is what two-factor sign-in exists to distrust: a session opened with a phished password
 * must not be able to strip the second factor.
 */
export async function disableTotp(
  ctx: AuthContext,
  user: UserRow,
  sessionId: string,
  password: string,
  code: string,
) {
  if (!user.totpEnabled) throw errors.conflict("two-factor sign-in is off");
  await confirmPassword(ctx, user, sessionId, password, "body.password", {
    code,
    field: "body.code",
  });
  await ctx.db.query(
    `update users set totp_secret = null, totp_enabled_at = null, totp_last_step = null,
       updated_at = $2 where id = $1`,
    [user.id, new Date(ctx.now())],
  );
  await ctx.db.query("delete from recovery_codes where user_id = $1", [user.id]);
  ctx.log.info({ userId: user.id }, "two-factor sign-in disabled");
}
