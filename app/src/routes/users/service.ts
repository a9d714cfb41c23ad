import type pg from "pg";
import type { AuthContext } from "../../auth/context.ts";
import { replacePassword } from "../../auth/credentials.ts";
import type { Role } from "../../auth/principal.ts";
import { randomId, sha256Hex } from "../../auth/secrets.ts";
import { errors } from "../../errors.ts";
import { recordAccountChange } from "../../write-model/account-audit.ts";
import type { InvitationBody } from "./schema.ts";

/** A household member as every member may see them. */
export interface MemberJson {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

/** Everyone in the household, oldest account first. */
export async function listMembers(db: pg.Pool): Promise<MemberJson[]> {
  const { rows } = await db.query<MemberJson>(
    "select id::text, email, name, role from users order by users.id",
  );
  return rows;
}

/**
 * Runs `change` on the target user inside a transaction that holds every owner row locked, so
 * two owners demoting or removing each other at once cannot leave the household without one.
 */
async function withOwnersLocked<T>(
  ctx: AuthContext,
  id: string,
  change: (client: pg.PoolClient, target: MemberJson, owners: number) => Promise<T>,
): Promise<T> {
  const client = await ctx.db.connect();
  try {
    await client.query("begin");
    const { rows: owners } = await client.query(
      "select id from users where role = 'owner' order by id for update",
    );
    const { rows } = await client.query<MemberJson>(
      "select id::text, email, name, role from users where id = $1 for update",
      [id],
    );
    const target = rows[0];
    if (!target) throw errors.notFound("this user");
    const result = await change(client, target, owners.length);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
}

/** Gives a user another role, recorded in the audit log; the last owner cannot be demoted. */
export function setRole(
  ctx: AuthContext,
  actorId: string,
  id: string,
  role: Role,
): Promise<MemberJson> {
  return withOwnersLocked(ctx, id, async (client, target, owners) => {
    if (target.role === "owner" && role !== "owner" && owners <= 1)
      throw errors.conflict("the household needs an owner; make someone else owner first");
    if (target.role === role) return target;
    await client.query("update users set role = $2, updated_at = $3 where id = $1", [
      id,
      role,
      new Date(ctx.now()),
    ]);
    await recordAccountChange(client, {
      actorId,
      action: "role_change",
      userId: id,
      before: { role: target.role },
      after: { role },
    });
    return { ...target, role };
  });
}

/**
 * Removes a user with their tokens (by cascade) and sessions, recorded in the audit log; never
 * the last owner.
 */
export async function removeUser(ctx: AuthContext, actorId: string, id: string): Promise<void> {
  await withOwnersLocked(ctx, id, async (client, target, owners) => {
    if (target.role === "owner" && owners <= 1)
      throw errors.conflict("the household needs an owner; make someone else owner first");
    await client.query("delete from users where id = $1", [id]);
    await recordAccountChange(client, {
      actorId,
      action: "user_remove",
      userId: id,
      before: { email: target.email, name: target.name, role: target.role },
      after: null,
    });
  });
  await ctx.sessions.deleteForUser(id);
  ctx.log.info({ userId: id }, "user removed; sessions and tokens revoked");
}

/**
 * Replaces another user's password with a random temporary one, answered once, and ends their
 * sessions and tokens (see replacePassword); the audit log records who did it. 15 random bytes (120 bits) pass the password policy by construction.
 */
export async function resetPassword(
  ctx: AuthContext,
  actorId: string,
  id: string,
): Promise<{ temporaryPassword: string }> {
  if (actorId === id)
    throw errors.conflict("change your own password with POST /api/v1/me/password");
  const temporaryPassword = randomId(15);
  const { found, tokensRevoked } = await replacePassword(ctx, id, temporaryPassword, (client) =>
    recordAccountChange(client, {
      actorId,
      action: "password_reset",
      userId: id,
      before: null,
      after: null,
    }),
  );
  if (!found) throw errors.notFound("this user");
  ctx.log.info(
    { userId: id, by: actorId, tokensRevoked },
    "password reset by an owner; sessions and tokens revoked",
  );
  return { temporaryPassword };
}

/** The link an invitation travels in: BASE_URL + /invite/<token>. */
export function invitationUrl(baseUrl: URL, token: string): string {
  return `${baseUrl.origin}${baseUrl.pathname.replace(/\/+$/, "")}/invite/${token}`;
}

/** Creates a one-time invitation; its token is answered once and stored as a sha256. */
export async function createInvitation(ctx: AuthContext, actorId: string, body: InvitationBody) {
  if (body.email !== undefined) {
    const { rowCount } = await ctx.db.query("select 1 from users where lower(email) = lower($1)", [
      body.email,
    ]);
    if (rowCount !== 0) throw errors.conflict("this person already has an account");
  }
  const token = randomId(32);
  const now = ctx.now();
  const expiresAt = new Date(now + body.expiresInDays * 24 * 60 * 60 * 1000);
  const { rows } = await ctx.db.query<{ id: string }>(
    `insert into invitations (token_hash, email, role, invited_by, created_at, expires_at)
     values ($1, $2, $3, $4, $5, $6) returning id::text`,
    [sha256Hex(token), body.email ?? null, body.role, actorId, new Date(now), expiresAt],
  );
  return {
    id: rows[0]?.id ?? "",
    url: invitationUrl(ctx.config.baseUrl, token),
    token,
    expiresAt: expiresAt.toISOString(),
  };
}

interface InvitationRow {
  id: string;
  email: string | null;
  role: "member" | "viewer";
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
}

/** Every invitation, newest first (no tokens: only their hashes exist). */
export async function listInvitations(db: pg.Pool) {
  const { rows } = await db.query<InvitationRow>(
    `select id::text, email, role, created_at, expires_at, accepted_at
       from invitations order by created_at desc, invitations.id desc`,
  );
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    role: r.role,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    acceptedAt: r.accepted_at?.toISOString() ?? null,
  }));
}

/** Withdraws an invitation. */
export async function deleteInvitation(db: pg.Pool, id: string): Promise<void> {
  const { rowCount } = await db.query("delete from invitations where id = $1", [id]);
  if (rowCount !== 1) throw errors.notFound("this invitation");
}
