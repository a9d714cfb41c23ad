import type pg from "pg";
import { z } from "zod";
import type { Role } from "./principal.ts";

/** The signed-in user as the API shows them (sign-in, registration, GET /me). */
export const MeJson = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(["owner", "member", "viewer"]),
  totpEnabled: z.boolean(),
  createdAt: z.string(),
});

/** A user row as authentication needs it. Secrets stay inside the auth modules. */
export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  passwordHash: string;
  totpSecret: string | null;
  totpEnabled: boolean;
  totpLastStep: number | null;
  createdAt: Date;
  passwordChangedAt: Date;
}

const columns = `id::text, email, name, role, password_hash, totp_secret,
  totp_enabled_at is not null as totp_enabled, totp_last_step::float8 as totp_last_step,
  created_at, password_changed_at`;

interface RawUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  password_hash: string;
  totp_secret: string | null;
  totp_enabled: boolean;
  totp_last_step: number | null;
  created_at: Date;
  password_changed_at: Date;
}

function toUser(r: RawUser): UserRow {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    passwordHash: r.password_hash,
    totpSecret: r.totp_secret,
    totpEnabled: r.totp_enabled,
    totpLastStep: r.totp_last_step,
    createdAt: r.created_at,
    passwordChangedAt: r.password_changed_at,
  };
}

/** The user with `email`, compared without case as the unique index does. */
export async function findUserByEmail(
  db: pg.Pool | pg.PoolClient,
  email: string,
): Promise<UserRow | undefined> {
  const { rows } = await db.query<RawUser>(
    `select ${columns} from users where lower(email) = lower($1)`,
    [email.trim()],
  );
  const row = rows[0];
  return row && toUser(row);
}

/** The user with `id`, or undefined. */
export async function findUserById(
  db: pg.Pool | pg.PoolClient,
  id: string,
): Promise<UserRow | undefined> {
  const { rows } = await db.query<RawUser>(`select ${columns} from users where id = $1`, [id]);
  const row = rows[0];
  return row && toUser(row);
}

/** The signed-in user as the API shows it (`GET /me`, login and register answers). */
export interface MeJson {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  totpEnabled: boolean;
  createdAt: string;
}

/** Shapes a user row for `GET /me`: never a hash or a secret. */
export function presentMe(user: UserRow): MeJson {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    totpEnabled: user.totpEnabled,
    createdAt: user.createdAt.toISOString(),
  };
}

/** Whether a PostgreSQL error is a unique violation (23505). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "23505";
}
