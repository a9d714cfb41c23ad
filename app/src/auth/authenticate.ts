import type { Request, Response } from "express";
import { errors } from "../errors.ts";
import type { AuthContext } from "./context.ts";
import { readCookie } from "./cookies.ts";
import { csrfValid, isUnsafeMethod } from "./csrf.ts";
import type { Authenticate, Principal, Role } from "./principal.ts";
import { isPersonalToken, sha256Hex } from "./secrets.ts";
import { sessionExpiry, sessionTtl, shouldTouch } from "./sessions.ts";
import { clearSessionCookie } from "./signin.ts";

/** last_used_at is written at most this often per token, not on every request. */
const tokenTouchMs = 60_000;

// 16 random bytes in base64url; anything else is not one of our ids and is not looked up.
const sessionIdPattern = /^[A-Za-z0-9_-]{22}$/;

interface TokenRow {
  id: string;
  user_id: string;
  scope: "read" | "write";
  expires_at: Date | null;
  last_used_at: Date | null;
  role: Role;
}

/**
 * A personal access token's principal. A malformed, unknown, expired or revoked token is a 401,
 * never a silent anonymous request: a script with a dead token must hear about it.
 */
async function tokenPrincipal(ctx: AuthContext, header: string): Promise<Principal> {
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (token === undefined || !isPersonalToken(token)) throw errors.unauthenticated();
  const { rows } = await ctx.db.query<TokenRow>(
    `select t.id::text, t.user_id::text, t.scope, t.expires_at, t.last_used_at, u.role
       from api_tokens t join users u on u.id = t.user_id
      where t.token_hash = $1`,
    [sha256Hex(token)],
  );
  const row = rows[0];
  const now = ctx.now();
  if (!row || (row.expires_at !== null && row.expires_at.getTime() <= now))
    throw errors.unauthenticated();
  if (row.last_used_at === null || now - row.last_used_at.getTime() >= tokenTouchMs) {
    // Conditional, so replicas racing on the same token write once.
    await ctx.db.query(
      `update api_tokens set last_used_at = $2
        where id = $1 and (last_used_at is null or last_used_at <= $3)`,
      [row.id, new Date(now), new Date(now - tokenTouchMs)],
    );
  }
  return { userId: row.user_id, role: row.role, via: "token", scope: row.scope, tokenId: row.id };
}

/**
 * The principal of a session cookie, or undefined when the session is unknown, another tenant's,
 * expired, or
 * older than its user's last password change (so a password reset ends every session even if
 * Redis missed the revocation). The role is read from PostgreSQL on every request: a demotion
 * or removal applies at once.
 */
async function sessionPrincipal(ctx: AuthContext, id: string): Promise<Principal | undefined> {
  if (!sessionIdPattern.test(id)) return undefined;
  const session = await ctx.sessions.get(id);
  if (!session) return undefined;
  // Another tenant's session (a shared Redis, a copied cookie) is refused and left alone: its
  // user id means someone else here, and deleting it would sign its owner out over there.
  if (session.tenant !== (await ctx.tenant())) return undefined;
  const now = ctx.now();
  if (sessionExpiry(session, now, ctx.sessionPolicy) !== undefined) {
    await ctx.sessions.delete(id);
    return undefined;
  }
  const { rows } = await ctx.db.query<{ role: Role; password_changed_at: Date }>(
    "select role, password_changed_at from users where id = $1",
    [session.userId],
  );
  const user = rows[0];
  if (!user || session.createdAt < user.password_changed_at.getTime()) {
    await ctx.sessions.delete(id);
    return undefined;
  }
  if (shouldTouch(session.lastSeenAt, now, ctx.sessionPolicy))
    await ctx.sessions.touch(id, now, sessionTtl(session, now, ctx.sessionPolicy));
  // A session is made only by signing in (or re-authenticating), so its birth is that moment.
  return {
    userId: session.userId,
    role: user.role,
    via: "session",
    scope: "write",
    sessionId: id,
    authenticatedAt: session.createdAt,
  };
}

/**
 * Authentication for every API route: a bearer token first, else the session cookie. A
 * cookie-authenticated unsafe request must carry the session's CSRF token; a bearer request
 * needs none, since no browser attaches an Authorization header on its own.
 */
export function createAuthenticate(ctx: AuthContext): Authenticate {
  return async (req: Request, res: Response) => {
    const authorization = req.get("authorization");
    if (authorization !== undefined) return tokenPrincipal(ctx, authorization);
    const id = readCookie(req.headers.cookie, ctx.cookie.name);
    if (id === undefined) return undefined;
    const principal = await sessionPrincipal(ctx, id);
    if (principal === undefined) {
      clearSessionCookie(ctx, res);
      return undefined;
    }
    if (
      isUnsafeMethod(req.method) &&
      !csrfValid(ctx.config.sessionSecret, id, req.get("x-csrf-token"))
    )
      throw errors.csrfFailed();
    return principal;
  };
}
