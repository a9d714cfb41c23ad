import type pg from "pg";
import { hashPassword, passwordProblem } from "./passwords.ts";

/** What ensureAdmin did: created the owner, or found the email already taken. */
export interface EnsureAdminResult {
  created: boolean;
  userId: string;
}

/**
 * Creates the owner from FINTRACK_ADMIN_EMAIL and FINTRACK_ADMIN_PASSWORD_FILE unless a user
 * with that email exists (then nothing changes, not even the password: the user may have
 * changed it since). Safe when several replicas start at once: `on conflict do nothing` on the
 * unique email index lets exactly one insert win. The password never reaches a message or log.
 */
export async function ensureAdmin(
  db: pg.Pool,
  admin: { email: string; password: string; name?: string },
): Promise<EnsureAdminResult> {
  const email = admin.email.trim();
  const existing = await db.query<{ id: string }>(
    "select id::text from users where lower(email) = lower($1)",
    [email],
  );
  const found = existing.rows[0];
  if (found) return { created: false, userId: found.id };
  const problem = passwordProblem(admin.password, { email });
  if (problem !== undefined)
    throw new Error(`FINTRACK_ADMIN_PASSWORD_FILE: the admin password ${problem}`);
  const { rows } = await db.query<{ id: string }>(
    `insert into users (email, name, password_hash, role) values ($1, $2, $3, 'owner')
     on conflict ((lower(email))) do nothing returning id::text`,
    [email, admin.name ?? "Owner", await hashPassword(admin.password)],
  );
  const inserted = rows[0];
  if (inserted) return { created: true, userId: inserted.id };
  // Another replica inserted it between our select and insert.
  const again = await db.query<{ id: string }>(
    "select id::text from users where lower(email) = lower($1)",
    [email],
  );
  return { created: false, userId: again.rows[0]?.id ?? "" };
}
