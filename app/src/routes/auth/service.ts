import { createHash } from "node:crypto";
import type pg from "pg";
import type { AuthContext } from "../../auth/context.ts";
import {
  hashPassword,
  needsRehash,
  passwordProblem,
  verifyPasswordOrDummy,
} from "../../auth/passwords.ts";
import type { Role } from "../../auth/principal.ts";
import { sha256Hex } from "../../auth/secrets.ts";
import type { ClientMeta } from "../../auth/signin.ts";
import { ipBucket } from "../../auth/throttle.ts";
import {
  accountId,
  chargeAttempt,
  loginBudgets,
  settleSuccess,
} from "../../auth/login-throttle.ts";
import { trustedDeviceId } from "../../auth/device-cookie.ts";
import {
  findUserByEmail,
  findUserById,
  isUniqueViolation,
  type UserRow,
} from "../../auth/users.ts";
import { errors } from "../../errors.ts";
import { addStarterCategories } from "../../write-model/starter-categories.ts";
import { checkSecondFactor } from "../../auth/second-factor.ts";
import type { LoginBody, RegisterBody } from "./schema.ts";

// The transaction-level advisory lock that serialises registrations, so two people racing to be
// the first user cannot both become owners: sha256("fintrack:register")[0..8] as a signed bigint.
const registerLock = createHash("sha256")
  .update("fintrack:register")
  .digest()
  .readBigInt64BE(0)
  .toString();

/**
 * Signs a user in: throttle (see loginBudgets; `deviceToken` is the trusted-device cookie, if
 * any), password (timing-equal for unknown emails), then the second factor when enabled.
 * Answers the user; the caller starts the session and trusts the device.
 */
export async function login(
  ctx: AuthContext,
  body: LoginBody,
  meta: ClientMeta,
  deviceToken: string | undefined,
): Promise<UserRow> {
  const account = accountId(body.email);
  const device = trustedDeviceId(ctx.device.key, account, deviceToken);
  const budgets = loginBudgets(ctx.loginPolicy, account, meta.ip, device);
  await chargeAttempt(ctx, budgets);
  const user = await findUserByEmail(ctx.db, body.email);
  const ok = await verifyPasswordOrDummy(user?.passwordHash, body.password);
  if (!user || !ok) {
    ctx.loginFailed("password");
    ctx.log.info({ userId: user?.id, ip: meta.ip, reason: "password" }, "sign-in refused");
    throw errors.invalidCredentials();
  }
  if (user.totpEnabled) {
    if (body.totp === undefined) throw errors.totpRequired();
    if (!(await checkSecondFactor(ctx, user, body.totp))) {
      ctx.loginFailed("totp");
      ctx.log.info({ userId: user.id, ip: meta.ip, reason: "totp" }, "sign-in refused");
      throw errors.invalidCredentials("the authentication code is wrong or was already used");
    }
  }
  await settleSuccess(ctx, budgets);
  if (needsRehash(user.passwordHash)) {
    await ctx.db.query("update users set password_hash = $2 where id = $1", [
      user.id,
      await hashPassword(body.password),
    ]);
  }
  ctx.log.info({ userId: user.id, ip: meta.ip, trustedDevice: device !== undefined }, "signed in");
  return user;
}

/** The role a new account gets, consuming the invitation; throws when sign-up is closed to it. */
async function roleForNewUser(
  ctx: AuthContext,
  client: pg.PoolClient,
  body: RegisterBody,
  now: Date,
): Promise<{ role: Role; invitationId?: string }> {
  const { rows } = await client.query<{ n: number }>("select count(*)::int as n from users");
  if ((rows[0]?.n ?? 0) === 0) {
    // A configured owner that is missing is a broken start, not an invitation to claim the
    // household: readiness reports it, and registration waits for it.
    if (ctx.config.ownerFromConfig)
      throw errors.unavailable("the household's owner is not set up yet; try again later");
    return { role: "owner" };
  }
  if (body.invitation !== undefined) {
    const { rows: invited } = await client.query<{ id: string; email: string | null; role: Role }>(
      `update invitations set accepted_at = $2
        where token_hash = $1 and accepted_at is null and expires_at > $2
        returning id::text, email, role`,
      [sha256Hex(body.invitation), now],
    );
    const invitation = invited[0];
    if (!invitation) throw errors.forbidden("this invitation is unknown, used or expired");
    if (
      invitation.email !== null &&
      invitation.email.toLowerCase() !== body.email.trim().toLowerCase()
    )
      throw errors.forbidden("this invitation is for another email address");
    return { role: invitation.role, invitationId: invitation.id };
  }
  if (ctx.config.signup === "open") return { role: "member" };
  throw errors.forbidden("sign-up is by invitation only");
}

/**
 * Creates an account: the first becomes the owner, unless the owner comes from configuration,
 * and the household gets the starter categories in `body.locale`; after that an invitation
 * decides the role, or open sign-up makes members. Serialised by an
 * advisory lock so the first-user rule holds across replicas.
 */
export async function register(
  ctx: AuthContext,
  body: RegisterBody,
  meta: ClientMeta,
): Promise<UserRow> {
  const problem = passwordProblem(body.password, { email: body.email });
  if (problem !== undefined) throw errors.validation([{ path: "body.password", message: problem }]);
  const wait = await ctx.throttle.attempt(
    `register:ip:${ipBucket(meta.ip)}`,
    ctx.loginPolicy.ip,
    ctx.now(),
  );
  if (wait > 0) throw errors.tooManyRequests(Math.max(1, Math.ceil(wait / 1000)));

  const now = new Date(ctx.now());
  const client = await ctx.db.connect();
  let id: string;
  try {
    await client.query("begin");
    await client.query("select pg_advisory_xact_lock($1)", [registerLock]);
    const { role, invitationId } = await roleForNewUser(ctx, client, body, now);
    const hash = await hashPassword(body.password);
    const { rows } = await client.query<{ id: string }>(
      `insert into users (email, name, password_hash, role, password_changed_at)
       values ($1, $2, $3, $4, $5) returning id::text`,
      [body.email.trim(), body.name, hash, role, now],
    );
    id = rows[0]?.id ?? "";
    if (invitationId !== undefined)
      await client.query("update invitations set accepted_by = $2 where id = $1", [
        invitationId,
        id,
      ]);
    // The household starts with a category tree; in this transaction, so a failed sign-up
    // leaves neither the owner nor the tree behind.
    if (role === "owner") await addStarterCategories(client, body.locale ?? "en");
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    if (isUniqueViolation(error)) throw errors.conflict("an account with this email exists");
    throw error;
  } finally {
    client.release();
  }
  const user = await findUserById(ctx.db, id);
  if (!user) throw new Error("the new user vanished");
  ctx.log.info({ userId: user.id, role: user.role }, "account created");
  return user;
}
