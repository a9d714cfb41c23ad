import type pg from "pg";
import { withTransaction } from "../db/transaction.ts";
import { hashPassword, passwordProblem } from "./passwords.ts";

/** What ensureAdmin did: created the owner, or found the email already taken. */
export interface EnsureAdminResult {
  created: boolean;
  userId: string;
}

/** Work that belongs to a new household: runs in the owner's insert transaction. */
export type HouseholdSetup = (client: pg.PoolClient) => Promise<unknown>;

/**
 * Creates the owner from FINTRACK_ADMIN_EMAIL and FINTRACK_ADMIN_PASSWORD_FILE unless a user
 * with that email exists (then nothing changes, not even the password: the user may have
 * changed it since). Safe when several replicas start at once: `on conflict do nothing` on the
 * unique email index lets exactly one insert win. `setUp` runs only for the winner, in its
 * transaction: a failed setup leaves no owner, and a restart (the owner exists) never repeats
 * it. The password never reaches a message or log.
 */
export async function ensureAdmin(
  db: pg.Pool,
  admin: { email: string; password: string; name?: string },
  setUp?: HouseholdSetup,
): Promise<EnsureAdminResult> {
  const email = admin.email.trim();
  const found = await userIdByEmail(db, email);
  if (found !== undefined) return { created: false, userId: found };
  const problem = passwordProblem(admin.password, { email });
  if (problem !== undefined)
    throw new Error(`FINTRACK_ADMIN_PASSWORD_FILE: the admin password ${problem}`);
  const hash = await hashPassword(admin.password);
  const inserted = await withTransaction(db, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `insert into users (email, name, password_hash, role) values ($1, $2, $3, 'owner')
       on conflict ((lower(email))) do nothing returning id::text`,
      [email, admin.name ?? "Owner", hash],
    );
    const id = rows[0]?.id;
    if (id !== undefined && setUp !== undefined) await setUp(client);
    return id;
  });
  if (inserted !== undefined) return { created: true, userId: inserted };
  // Another replica inserted it between our select and insert.
  return { created: false, userId: (await userIdByEmail(db, email)) ?? "" };
}

async function userIdByEmail(db: pg.Pool, email: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    "select id::text from users where lower(email) = lower($1)",
    [email],
  );
  return rows[0]?.id;
}
