import type pg from "pg";
import type { AuthContext } from "../../auth/context.ts";
import { newPersonalToken, sha256Hex } from "../../auth/secrets.ts";
import { errors } from "../../errors.ts";
import type { CreateTokenBody } from "./schema.ts";

/** A user may hold this many tokens: enough for every script, bounded for the listing. */
export const maxTokensPerUser = 50;

interface TokenRow {
  id: string;
  name: string;
  scope: "read" | "write";
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
}

const columns = "id::text, name, scope, created_at, expires_at, last_used_at";

/** A token as listed: everything but the secret, which is never stored. */
export function presentToken(r: TokenRow) {
  return {
    id: r.id,
    name: r.name,
    scope: r.scope,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
  };
}

/** Creates a personal access token for `userId`; the secret is in this answer only. */
export async function createToken(ctx: AuthContext, userId: string, body: CreateTokenBody) {
  const now = ctx.now();
  const expiresAt = body.expiresAt === undefined ? null : new Date(body.expiresAt);
  if (expiresAt !== null && expiresAt.getTime() <= now)
    throw errors.validation([{ path: "body.expiresAt", message: "must be in the future" }]);
  const { rows: count } = await ctx.db.query<{ n: number }>(
    "select count(*)::int as n from api_tokens where user_id = $1",
    [userId],
  );
  if ((count[0]?.n ?? 0) >= maxTokensPerUser)
    throw errors.conflict(`at most ${maxTokensPerUser} tokens; revoke one first`);
  const token = newPersonalToken();
  const { rows } = await ctx.db.query<TokenRow>(
    `insert into api_tokens (user_id, name, token_hash, scope, created_at, expires_at)
     values ($1, $2, $3, $4, $5, $6) returning ${columns}`,
    [userId, body.name, sha256Hex(token), body.scope, new Date(now), expiresAt],
  );
  const row = rows[0];
  if (!row) throw new Error("insert returned no row");
  ctx.log.info({ userId, tokenId: row.id, scope: row.scope }, "personal access token created");
  return { ...presentToken(row), token };
}

/** The user's own tokens, newest first. */
export async function listTokens(db: pg.Pool, userId: string) {
  const { rows } = await db.query<TokenRow>(
    `select ${columns} from api_tokens where user_id = $1 order by created_at desc, api_tokens.id desc`,
    [userId],
  );
  return rows.map(presentToken);
}

/** Revokes one of the user's tokens; someone else's token is "not found". */
export async function revokeToken(db: pg.Pool, userId: string, id: string): Promise<void> {
  const { rowCount } = await db.query("delete from api_tokens where id = $1 and user_id = $2", [
    id,
    userId,
  ]);
  if (rowCount !== 1) throw errors.notFound("this token");
}
