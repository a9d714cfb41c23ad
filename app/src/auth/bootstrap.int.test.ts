import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness/database.ts";
import { migrate } from "../db/migrate.ts";
import { ensureAdmin } from "./bootstrap.ts";
import { verifyPassword } from "./passwords.ts";

describe("ensureAdmin", () => {
  const db = useTestDatabase();
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: db.url, max: 6 });
    await migrate(pool);
  });
  afterAll(async () => {
    await pool.end();
  });

  it("creates exactly one owner when several replicas start at once", async () => {
    const admin = { email: "admin@example.test", password: "correct horse staple" };
    const results = await Promise.all(Array.from({ length: 5 }, () => ensureAdmin(pool, admin)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.userId)).size).toBe(1);
    const { rows } = await pool.query<{ role: string; password_hash: string }>(
      "select role, password_hash from users",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.role).toBe("owner");
    expect(await verifyPassword(rows[0]?.password_hash ?? "", admin.password)).toBe(true);
  });

  it("leaves an existing user alone, password included, matching the email in any case", async () => {
    const again = await ensureAdmin(pool, {
      email: "ADMIN@example.test",
      password: "another horse staple",
    });
    expect(again.created).toBe(false);
    const { rows } = await pool.query<{ password_hash: string }>("select password_hash from users");
    expect(await verifyPassword(rows[0]?.password_hash ?? "", "correct horse staple")).toBe(true);
  });

  it("refuses a password the policy refuses, without putting it in the error", async () => {
    const attempt = ensureAdmin(pool, { email: "weak@example.test", password: "password1234" });
    await expect(attempt).rejects.toThrow(/FINTRACK_ADMIN_PASSWORD_FILE/);
    await expect(attempt).rejects.not.toThrow(/password1234/);
  });
});
